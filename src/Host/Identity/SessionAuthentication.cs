using System.Security.Claims;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenCalendly.Host.Api;

namespace OpenCalendly.Host.Identity;

/// <summary>Resolves <c>Authorization: Bearer &lt;sessionToken&gt;</c> to the session's user.</summary>
public sealed class SessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IQuerySession db, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";
    public const string SessionIdClaim = "sid";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 200) return AuthenticateResult.Fail("Malformed bearer token.");

        var session = await db.LoadAsync<Session>(Tokens.Hash(token), Context.RequestAborted);
        if (session is null || !session.IsValidAt(clock.GetUtcNow())) return AuthenticateResult.Fail("Session is invalid or expired.");

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, session.UserId.ToString()), new Claim(SessionIdClaim, session.Id)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        return Problems.Result(Problems.Create(401, "unauthorized", "Sign in first: the session is missing, invalid or expired."))
            .ExecuteAsync(Context);
    }
}

public static class Caller
{
    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Not signed in."));

    public static string SessionId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(SessionAuthentication.SessionIdClaim) ?? throw new InvalidOperationException("Not signed in.");
}

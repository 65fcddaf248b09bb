using System.Security.Claims;
using System.Text.Encodings.Web;
using Marten;
using Marten.Patching;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpenCalendly.Host.Api;

namespace OpenCalendly.Host.Identity;

/// <summary>
/// Resolves <c>Authorization: Bearer &lt;token&gt;</c> to its organizer: a signed-in session's token, or an API key's
/// (<c>oc_live_…</c>), whose principal also carries the key and its scopes. Both are looked up by their hash on every
/// request, so a logout or a revoked key takes effect at once on every host.
/// </summary>
public sealed class SessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IQuerySession db, IDocumentStore store, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";
    public const string SessionIdClaim = "sid";
    public const string ApiKeyIdClaim = "api_key_id";
    public const string ApiKeyNameClaim = "api_key_name";
    public const string ScopeClaim = "scope";

    /// <summary>How stale a key's <c>lastUsedAt</c> may get: recording every use would be a write per request.</summary>
    private static readonly TimeSpan LastUsedGranularity = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken(Request) is not { } token) return AuthenticateResult.NoResult();
        if (token.Length is 0 or > 200) return AuthenticateResult.Fail("Malformed bearer token.");
        var now = clock.GetUtcNow();
        var hash = Tokens.Hash(token);

        if (ApiKey.LooksLikeToken(token))
        {
            var key = await db.Query<ApiKey>().Where(k => k.TokenHash == hash).FirstOrDefaultAsync(Context.RequestAborted);
            if (key is null || !key.IsValidAt(now)) return AuthenticateResult.Fail("API key is unknown, revoked or expired.");
            if (key.LastUsedAt is not { } used || now - used >= LastUsedGranularity) await RecordUseAsync(key.Id, now);
            Claim[] claims =
            [
                new(ClaimTypes.NameIdentifier, key.UserId.ToString()), new(ApiKeyIdClaim, key.Id.ToString()), new(ApiKeyNameClaim, key.Name),
                .. key.Scopes.Select(s => new Claim(ScopeClaim, s)),
            ];
            return Success(claims);
        }

        var session = await db.LoadAsync<Session>(hash, Context.RequestAborted);
        if (session is null || !session.IsValidAt(now)) return AuthenticateResult.Fail("Session is invalid or expired.");
        return Success([new Claim(ClaimTypes.NameIdentifier, session.UserId.ToString()), new Claim(SessionIdClaim, session.Id)]);
    }

    private static AuthenticateResult Success(IEnumerable<Claim> claims) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));

    /// <summary>The bearer token of a request, if it has one.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private async Task RecordUseAsync(Guid keyId, DateTimeOffset now)
    {
        await using var session = store.LightweightSession();
        session.Patch<ApiKey>(keyId).Set(k => k.LastUsedAt, now);
        await session.SaveChangesAsync(Context.RequestAborted);
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = 401;
        var message = BearerToken(Request) is { } token && ApiKey.LooksLikeToken(token)
            ? "The API key is unknown, revoked or expired."
            : "Sign in first: the session is missing, invalid or expired.";
        return Problems.Result(Problems.Create(401, "unauthorized", message)).ExecuteAsync(Context);
    }
}

public static class Caller
{
    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("Not signed in."));

    public static string SessionId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(SessionAuthentication.SessionIdClaim) ?? throw new InvalidOperationException("Not signed in with a session.");

    /// <summary>The API key the caller used, or null for a signed-in session.</summary>
    public static (Guid Id, string Name)? ApiKey(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(SessionAuthentication.ApiKeyIdClaim) is { } id
            ? (Guid.Parse(id), principal.FindFirstValue(SessionAuthentication.ApiKeyNameClaim) ?? "")
            : null;
}

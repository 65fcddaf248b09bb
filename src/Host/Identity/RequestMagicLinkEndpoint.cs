using Microsoft.AspNetCore.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Email;
using OpenCalendly.Integrations.Email;
using Wolverine;
using Wolverine.Http;

namespace OpenCalendly.Host.Identity;

public sealed record RequestMagicLink(string? Email, string? Username, string? DisplayName, string? Timezone);

public sealed record MagicLinkSent(
    bool Ok,
    DateTimeOffset ExpiresAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    string? MagicLinkToken);

public static class RequestMagicLinkEndpoint
{
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromMinutes(15);

    public static ProblemDetails Validate(RequestMagicLink body) =>
        Profile(new FieldErrors().Email("email", body.Email, required: true), body.Username, body.DisplayName, body.Timezone).ToProblem();

    /// <summary>A first-time profile, on the request for the link or on the verify step.</summary>
    public static FieldErrors Profile(FieldErrors errors, string? username, string? displayName, string? timezone) => errors
        .Text("username", username, 3, 64)
        .Pattern("username", username, FieldErrors.Kebab(), "must use a-z, 0-9 and single hyphens.")
        .When(username is not null && Pages.PageRoutes.ReservedNames.Contains(username), "username", "That username is reserved: pick another.")
        .Text("displayName", displayName, 1, 120)
        .Zone("timezone", timezone);

    [ProducesResponseType<MagicLinkSent>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Auth)]
    [WolverinePost("/v0/auth/magic-link", OperationId = "requestMagicLink")]
    public static async Task<(IResult, OutgoingMessages)> Post(
        RequestMagicLink body, IDocumentSession db, EmailOutbox outbox, TimeProvider clock, IConfiguration config, HttpRequest request)
    {
        // Known and unknown addresses take the same path and get the same answer: the answer never says whether
        // an account exists. A first-time profile (username, display name) may come now or on the verify step.
        var email = body.Email!.Trim().ToLowerInvariant();
        var user = await db.Query<User>().FirstOrDefaultAsync(u => u.Email == email);
        var now = clock.GetUtcNow();
        var token = Tokens.New();
        var link = new MagicLink
        {
            Id = Tokens.Hash(token), Email = email, UserId = user?.Id,
            Username = user is null ? body.Username : null, DisplayName = user is null ? body.DisplayName : null,
            Timezone = user is null ? body.Timezone : null,
            CreatedAt = now, ExpiresAt = now + LinkLifetime,
        };
        db.Store(link);

        var url = $"{PublicUrls.Base(config, request)}/auth/verify?token={token}";
        var message = outbox.Seal(new EmailMessage($"magic-link:{link.Id}", "magic-link", email, "Your OpenCalendly sign-in link",
            $"Sign in to OpenCalendly:\n\n{url}\n\nThe link works once and expires at {Instants.Format(link.ExpiresAt)}."));

        var exposeToken = config.GetValue<bool>("Auth:ExposeMagicLinkToken");
        return (Results.Json(new MagicLinkSent(true, link.ExpiresAt, exposeToken ? token : null)), [message]);
    }
}

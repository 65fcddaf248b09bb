using Microsoft.AspNetCore.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using Wolverine.Http;

namespace OpenCalendly.Host.Identity;

/// <summary>A first-time sign-up may name its profile here instead of on the request for the link.</summary>
public sealed record VerifyMagicLink(string? Token, string? Username = null, string? DisplayName = null, string? Timezone = null);

public sealed record SignedIn(bool Ok, string SessionToken, DateTimeOffset ExpiresAt, UserJson User);

public sealed record PreviewMagicLink(string? Token);

/// <summary>Whom a sign-in link signs in as, so the page can ask "Continue as …" before anything changes.</summary>
public sealed record MagicLinkPreview(bool Ok, string Email, bool NewAccount, string? Username, string? DisplayName, bool NeedsProfile);

public static class MagicLinks
{
    public static async Task<MagicLink?> UsableAsync(IQuerySession db, string token, DateTimeOffset now) =>
        await db.LoadAsync<MagicLink>(Tokens.Hash(token)) is { ConsumedAt: null } link && link.ExpiresAt > now ? link : null;

    public static ProblemDetails Invalid() => Problems.Create(400, "invalid-token", "The sign-in link is invalid, expired or already used.");
}

public static class PreviewMagicLinkEndpoint
{
    public static ProblemDetails Validate(PreviewMagicLink body) =>
        new FieldErrors().Text("token", body.Token, 1, 200, required: true).ToProblem();

    /// <summary>Reads a link without using it: the verify page names the account and waits for a click.</summary>
    [ProducesResponseType<MagicLinkPreview>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Auth)]
    [WolverinePost("/v0/auth/magic-link/preview", OperationId = "previewMagicLink")]
    public static async Task<IResult> Post(PreviewMagicLink body, IQuerySession db, TimeProvider clock)
    {
        if (await MagicLinks.UsableAsync(db, body.Token!, clock.GetUtcNow()) is not { } link) return Problems.Result(MagicLinks.Invalid());
        var user = link.UserId is { } id ? await db.LoadAsync<User>(id) : await db.Query<User>().FirstOrDefaultAsync(u => u.Email == link.Email);
        return Results.Json(user is not null
            ? new MagicLinkPreview(true, user.Email, false, user.Username, user.DisplayName, false)
            : new MagicLinkPreview(true, link.Email, true, link.Username, link.DisplayName, link.Username is null || link.DisplayName is null));
    }
}

public static class VerifyMagicLinkEndpoint
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(30);

    public static ProblemDetails Validate(VerifyMagicLink body) => RequestMagicLinkEndpoint.Profile(
        new FieldErrors().Text("token", body.Token, 1, 200, required: true), body.Username, body.DisplayName, body.Timezone).ToProblem();

    [ProducesResponseType<SignedIn>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Auth)]
    [WolverinePost("/v0/auth/verify", OperationId = "verifyMagicLink")]
    public static async Task<IResult> Post(VerifyMagicLink body, IDocumentSession db, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        if (await MagicLinks.UsableAsync(db, body.Token!, now) is not { } link) return Problems.Result(MagicLinks.Invalid());

        var user = link.UserId is { } id ? await db.LoadAsync<User>(id) : null;
        if (user is null) user = await db.Query<User>().FirstOrDefaultAsync(u => u.Email == link.Email);
        if (user is null)
        {
            // Created on first use of the link; the unique indexes settle a race for the same email or username.
            // A missing profile or a taken username leaves the link unused, so the page can ask again.
            var (username, displayName) = (body.Username ?? link.Username, body.DisplayName ?? link.DisplayName);
            if (username is null || displayName is null)
                return Problems.Result(Problems.Validation(new Dictionary<string, string[]>
                {
                    [username is null ? "username" : "displayName"] = ["New here: choose a username and a display name to create your account."],
                }));
            if (await db.Query<User>().AnyAsync(u => u.Username == username))
                return Problems.Result(Problems.Create(409, "username-taken", "That username is already taken."));
            if (await db.LoadAsync<RetiredUsername>(username) is { } retired && retired.RetiredUntil > now)
                return Problems.Result(Problems.Create(409, "username-taken",
                    $"That username belonged to an account deleted recently; it is free again after {Instants.Format(retired.RetiredUntil)}."));
            user = new User
            {
                Id = Guid.CreateVersion7(), Email = link.Email, Username = username, DisplayName = displayName,
                Timezone = link.Timezone ?? body.Timezone ?? "UTC", CreatedAt = now,
            };
            db.Store(user);
            db.Insert(Availability.Schedule.WorkingWeek(user.Id, now));
        }

        link.ConsumedAt = now;
        db.Store(link);
        var token = Tokens.New();
        var session = new Session { Id = Tokens.Hash(token), UserId = user.Id, CreatedAt = now, ExpiresAt = now + SessionLifetime };
        db.Store(session);
        return Results.Json(new SignedIn(true, token, session.ExpiresAt, UserJson.Of(user)));
    }
}

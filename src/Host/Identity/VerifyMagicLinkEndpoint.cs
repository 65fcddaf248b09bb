using Marten;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using Wolverine.Http;

namespace OpenCalendly.Host.Identity;

public sealed record VerifyMagicLink(string? Token);

public sealed record SignedIn(bool Ok, string SessionToken, DateTimeOffset ExpiresAt, UserJson User);

public static class VerifyMagicLinkEndpoint
{
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(30);

    public static ProblemDetails Validate(VerifyMagicLink body) =>
        new FieldErrors().Text("token", body.Token, 1, 200, required: true).ToProblem();

    [WolverinePost("/v0/auth/verify", OperationId = "verifyMagicLink")]
    public static async Task<IResult> Post(VerifyMagicLink body, IDocumentSession db, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var link = await db.LoadAsync<MagicLink>(Tokens.Hash(body.Token!));
        if (link is null || link.ConsumedAt is not null || link.ExpiresAt <= now)
            return Problems.Result(Problems.Create(400, "invalid-token", "The sign-in link is invalid, expired or already used."));

        var user = link.UserId is { } id ? await db.LoadAsync<User>(id) : null;
        if (user is null)
        {
            // Created on first use of the link; the unique indexes settle a race for the same email or username.
            if (await db.Query<User>().AnyAsync(u => u.Username == link.Username))
                return Problems.Result(Problems.Create(409, "username-taken", "That username is already taken."));
            user = await db.Query<User>().FirstOrDefaultAsync(u => u.Email == link.Email) ?? new User
            {
                Id = Guid.CreateVersion7(), Email = link.Email, Username = link.Username!, DisplayName = link.DisplayName!,
                Timezone = link.Timezone ?? "UTC", CreatedAt = now,
            };
            db.Store(user);
        }

        link.ConsumedAt = now;
        db.Store(link);
        var token = Tokens.New();
        var session = new Session { Id = Tokens.Hash(token), UserId = user.Id, CreatedAt = now, ExpiresAt = now + SessionLifetime };
        db.Store(session);
        return Results.Json(new SignedIn(true, token, session.ExpiresAt, UserJson.Of(user)));
    }
}

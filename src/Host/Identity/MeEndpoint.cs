using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using OpenCalendly.Host.Api;
using Wolverine.Http;

namespace OpenCalendly.Host.Identity;

public static class MeEndpoint
{
    [AnyCaller]
    [ProducesResponseType<MeAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(401, "application/problem+json")]
    [WolverineGet("/v0/auth/me", OperationId = "me")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db) =>
        await db.LoadAsync<User>(caller.UserId()) is { } user
            ? Results.Json(new MeAnswer(true, UserJson.Of(user)))
            : Problems.Result(Problems.Create(401, "unauthorized", "Sign in first: the session is missing, invalid or expired."));
}

public static class LogoutEndpoint
{
    [Authorize]
    [ProducesResponseType<OkAnswer>(200)]
    [WolverinePost("/v0/auth/logout", OperationId = "logout")]
    public static async Task<IResult> Post(ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock)
    {
        var session = await db.LoadAsync<Session>(caller.SessionId());
        if (session is not null)
        {
            session.RevokedAt = clock.GetUtcNow();
            db.Store(session);
        }
        return Results.Json(new OkAnswer(true));
    }
}

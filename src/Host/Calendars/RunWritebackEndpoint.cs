using Microsoft.AspNetCore.RateLimiting;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using Wolverine.Http;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace OpenCalendly.Host.Calendars;

public sealed record RunWritebackInput(int? Limit);

/// <summary>
/// Runs the caller's due writebacks now, each in its own transaction and message context (they also run by
/// themselves; this is for whoever doesn't want to wait for the next retry).
/// </summary>
public static class RunWritebackEndpoint
{
    public const int DefaultLimit = 25;

    public static ProblemDetails Validate(RunWritebackInput? body) => new FieldErrors().Number("limit", body?.Limit, 1, 100).ToProblem();

    [Scope(ApiScopes.BookingsWrite)]
    [ProducesResponseType<DeliveryRunAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [EnableRateLimiting(RateLimits.DeliveryRun)]
    [WolverinePost("/v0/calendar/writeback/run", OperationId = "runCalendarWriteback")]
    public static async Task<IResult> Post(
        RunWritebackInput? body, ClaimsPrincipal caller, IDocumentStore store, OutboxedSessionFactory sessions, IWolverineRuntime runtime,
        WritebackAttempts attempts, TimeProvider clock, CancellationToken ct)
    {
        var limit = body?.Limit ?? DefaultLimit;
        var userId = caller.UserId();
        var now = clock.GetUtcNow();
        Guid[] due;
        await using (var query = store.QuerySession())
            due = [.. await query.Query<CalendarWriteback>()
                .Where(w => w.UserId == userId && w.Status == WritebackStatus.Pending && w.NextAttemptAt <= now)
                .OrderBy(w => w.NextAttemptAt).Take(limit).Select(w => w.Id).ToListAsync(ct)];

        var summary = await DueAttempts.RunAsync(due, sessions, runtime, attempts.RunAsync, ct);
        return Results.Json(new DeliveryRunAnswer(true, summary.Processed, summary.Succeeded, summary.Retried, summary.Failed, limit));
    }
}

using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.Calendars;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten.Publishing;
using Microsoft.AspNetCore.Authorization;

namespace OpenCalendly.Host.Calendars;

public sealed record SyncCalendarInput(DateTimeOffset? Start, DateTimeOffset? End);

public static class SyncCalendarEndpoint
{
    public static ProblemDetails Validate(SyncCalendarInput? body) => new FieldErrors()
        .When(body?.Start is { Year: < 2000 or >= 2200 }, "start", "start must be between 2000 and 2200.")
        .When(body?.End is { Year: < 2000 or >= 2200 }, "end", "end must be between 2000 and 2200.")
        .When(body is { Start: { } s, End: { } e } && (e <= s || e - s > SyncWindow.Longest), "end", "end must be after start, and at most 90 days after it.")
        .ToProblem();

    /// <summary>Syncs now. A provider failure is recorded on the connection (and answered 502) in the same commit.</summary>
    [Scope(ApiScopes.AvailabilityWrite)]
    [ProducesResponseType<CalendarSyncAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(502, "application/problem+json")]
    [WolverinePost("/v0/calendar/{provider}/sync", OperationId = "syncCalendar")]
    public static async Task<IResult> Post(
        string provider, SyncCalendarInput? body, ClaimsPrincipal caller, OutboxedSessionFactory sessions, IMessageBus bus,
        CalendarSync sync, TimeProvider clock, CancellationToken ct)
    {
        if (CalendarProviders.Parse(provider) is not { } kind) return Problems.Result(ConnectRules.UnknownProvider());
        var id = CalendarConnection.StreamId(caller.UserId(), kind);
        var now = clock.GetUtcNow();
        var window = SyncWindow.Resolve(body?.Start, body?.End ?? (body?.Start is { } start ? start + SyncWindow.Default : null), now);
        if (window is null) return Problems.Result(Problems.Invalid("end", "end must be after start, and at most 90 days after it."));

        await using var session = sessions.OpenSession(bus);
        // Another call to this calendar (a writeback, the scheduled sync) holds its lease for a moment: wait for it
        // here, holding nothing, rather than answer "busy" to a person who pressed Sync.
        var deadline = clock.GetUtcNow() + TimeSpan.FromSeconds(20);
        SyncResult? result;
        while ((result = await sync.RunAsync(session, (IMessageContext)bus, id, window, ct)) is { IsBusy: true } && clock.GetUtcNow() < deadline)
            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        // Committed whatever the outcome: a sync dropped because the calendar was disconnected meanwhile still gives its lease back.
        await session.SaveChangesAsync(ct);
        if (result is null) return Problems.Result(Problems.NotFound("No connected calendar for this provider."));
        if (result.IsBusy) return Problems.Result(Problems.Create(409, "calendar-busy", result.Error!));
        if (!result.Succeeded) return Problems.Result(Problems.ProviderFailed(result.Error!));
        return Results.Json(new CalendarSyncAnswer(true, provider, new(result.WindowStart, result.WindowEnd), result.BusyWindowCount,
            result.RefreshedAccessToken, result.LastSyncedAt, result.NextSyncAt, result.Unchanged));
    }
}

using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.Calendars;
using Wolverine.Http;

namespace OpenCalendly.Host.Calendars;

public static class CalendarSyncStatusEndpoint
{
    [Scope(ApiScopes.AvailabilityRead)]
    [ProducesResponseType<CalendarProvidersAnswer>(200)]
    [WolverineGet("/v0/calendar/sync/status", OperationId = "calendarSyncStatus")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db, CalendarProviders providers, CancellationToken ct)
    {
        var userId = caller.UserId();
        var ids = CalendarProviders.All.Select(p => CalendarConnection.StreamId(userId, p)).ToArray();
        var connections = (await db.LoadManyAsync<CalendarConnection>(ct, ids)).ToDictionary(c => c.Provider);
        return Results.Json(new CalendarProvidersAnswer(true,
            CalendarStatusJson.All(connections, providers)));
    }
}

public static class CalendarWritebackStatusEndpoint
{
    [Scope(ApiScopes.BookingsRead)]
    [ProducesResponseType<WritebackStatusAnswer>(200)]
    [WolverineGet("/v0/calendar/writeback/status", OperationId = "calendarWritebackStatus")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db, CalendarSettings settings, CancellationToken ct)
    {
        var userId = caller.UserId();
        var batch = db.CreateBatchQuery();
        var pending = batch.Query<CalendarWriteback>().Where(w => w.UserId == userId && w.Status == WritebackStatus.Pending).Count();
        var succeeded = batch.Query<CalendarWriteback>().Where(w => w.UserId == userId && w.Status == WritebackStatus.Succeeded).Count();
        var failed = batch.Query<CalendarWriteback>().Where(w => w.UserId == userId && w.Status == WritebackStatus.Failed).Count();
        var failures = batch.Query<CalendarWriteback>().Where(w => w.UserId == userId && w.Status == WritebackStatus.Failed)
            .OrderByDescending(w => w.UpdatedAt).Take(20).ToList();
        await batch.Execute(ct);
        return Results.Json(new WritebackStatusAnswer(true, new(await pending, await succeeded, await failed),
            [.. (await failures).Select(w => new WritebackFailureJson(w.Id, w.BookingId, CalendarProviders.Name(w.Provider),
                w.Operation.ToString().ToLowerInvariant(), w.Attempts, settings.MaxAttempts, w.NextAttemptAt, w.LastAttemptAt, w.LastError, w.UpdatedAt))]));
    }
}

using Microsoft.AspNetCore.RateLimiting;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Identity;
using OpenCalendly.Projections;
using OpenCalendly.Scheduling.Analytics;
using Wolverine.Http;

namespace OpenCalendly.Host.Analytics;

public sealed record FunnelEventInput(string? Username, string? EventSlug, string? Stage);

public static class RecordFunnelEventEndpoint
{
    public static FunnelStage? Stage(string? stage) => stage switch
    {
        "page_view" => FunnelStage.PageView,
        "slot_selection" => FunnelStage.SlotSelection,
        _ => null,
    };

    public static ProblemDetails Validate(FunnelEventInput body) => new FieldErrors()
        .Text("username", body.Username, 1, 64, required: true)
        .Text("eventSlug", body.EventSlug, 1, 80, required: true)
        .Require("stage", body.Stage)
        .When(body.Stage is not null && Stage(body.Stage) is null, "stage",
            "stage must be page_view or slot_selection (booking_confirmed is recorded by the server when a booking commits).")
        .ToProblem();

    /// <summary>
    /// Public: appends the stage to the event type's funnel stream for today (UTC), committed together with
    /// whatever other page events arrived meanwhile (<see cref="FunnelRecorder"/>). No aggregate is loaded.
    /// </summary>
    [ProducesResponseType<OkAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(429, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Funnel)]
    [WolverinePost("/v0/analytics/funnel/events", OperationId = "recordFunnelEvent")]
    public static async Task<IResult> Post(
        FunnelEventInput body, IQuerySession db, PublicPageCache pages, FunnelRecorder recorder, FunnelLimits limits, TimeProvider clock, CancellationToken ct)
    {
        if (await pages.GetAsync(db, body.Username!, body.EventSlug!, ct) is not (var organizer, var eventType, _))
            return Problems.Result(Problems.NotFound("Event type not found."));
        if (limits.Refuse(eventType.Id) is { } refused) return refused;

        var now = clock.GetUtcNow();
        await recorder.RecordAsync(
            FunnelStream.Id(eventType.Id, DateOnly.FromDateTime(now.UtcDateTime)),
            FunnelStream.Event(Stage(body.Stage)!.Value, eventType.Id, organizer.Id, now));
        return Results.Json(new OkAnswer(true));
    }
}

/// <summary>
/// Funnel events are anonymous: besides the per-address limit every public route has, each event type takes at most
/// <c>RateLimiting:FunnelEventsPerEventTypePerMinute</c> (600, per node; 0 turns it off) so nobody can inflate one
/// organizer's analytics from many addresses.
/// </summary>
public sealed class FunnelLimits : IDisposable
{
    private readonly int _permits;
    private readonly System.Threading.RateLimiting.PartitionedRateLimiter<Guid> _limiter;

    public FunnelLimits(IConfiguration config)
    {
        var permits = _permits = config.GetValue("RateLimiting:FunnelEventsPerEventTypePerMinute", 600);
        _limiter = System.Threading.RateLimiting.PartitionedRateLimiter.Create<Guid, Guid>(id => System.Threading.RateLimiting.RateLimitPartition.GetFixedWindowLimiter(
            id, _ => new System.Threading.RateLimiting.FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, permits), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    /// <summary>A 429 with <c>Retry-After</c> when the event type has used its minute, else null.</summary>
    public IResult? Refuse(Guid eventTypeId)
    {
        if (_permits <= 0) return null;
        using var lease = _limiter.AttemptAcquire(eventTypeId);
        if (lease.IsAcquired) return null;
        var wait = lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
        return Problems.RetryAfter(Problems.Result(Problems.Create(429, "rate-limited", "Too many funnel events for this event type; retry later.")), wait);
    }

    public void Dispose() => _limiter.Dispose();
}

public static class FunnelAnalyticsEndpoint
{
    private static readonly string Sql =
        "select event_type_id, day, page_views, slot_selections, booking_confirmations, confirmed, canceled, rescheduled " +
        $"from {StoreConfiguration.FunnelDaily.QualifiedName} where organizer_id = $1 and day between $2 and $3 and ($4::uuid is null or event_type_id = $4) " +
        "order by day, event_type_id";

    /// <summary>The caller's funnel from the daily counters the projection keeps: by event type, by day, and in total.</summary>
    [Scope(ApiScopes.AnalyticsRead)]
    [ProducesResponseType<FunnelAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [WolverineGet("/v0/analytics/funnel", OperationId = "funnelAnalytics")]
    public static async Task<IResult> Get(
        string? startDate, string? endDate, string? eventTypeId, ClaimsPrincipal caller, IQuerySession db, NpgsqlDataSource data,
        TimeProvider clock, CancellationToken ct)
    {
        var (range, problem) = AnalyticsQuery.Range(startDate, endDate, clock.GetUtcNow());
        if (problem is not null) return Problems.Result(problem);
        var organizerId = caller.UserId();
        var eventTypes = await AnalyticsQuery.EventTypesOfAsync(db, organizerId, ct);
        if (!AnalyticsQuery.TryId(eventTypeId, out var only) || only is { } id && !eventTypes.ContainsKey(id))
            return Problems.Result(Problems.NotFound("Event type not found."));

        var rows = new List<(Guid EventTypeId, DateOnly Day, FunnelCounts Counts)>();
        await using (var command = data.CreateCommand(Sql))
        {
            command.Parameters.Add(AnalyticsQuery.Value(organizerId));
            command.Parameters.Add(AnalyticsQuery.Value(range!.Start));
            command.Parameters.Add(AnalyticsQuery.Value(range.End));
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)only ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                rows.Add((reader.GetGuid(0), reader.GetFieldValue<DateOnly>(1),
                    new FunnelCounts(reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetInt32(7))));
        }

        string Name(Guid eventType) => eventTypes.TryGetValue(eventType, out var e) ? e.Name : "Unknown event type";
        var summary = rows.Aggregate(FunnelCounts.Zero, (sum, row) => sum + row.Counts);
        return Results.Json(new FunnelAnswer(true, new(range.Start, range.End), FunnelTotalJson.Of(summary),
            [.. rows.GroupBy(r => r.EventTypeId)
                .Select(g => FunnelEventTypeJson.Of(g.Key, Name(g.Key), g.Aggregate(FunnelCounts.Zero, (sum, row) => sum + row.Counts)))
                .OrderBy(g => g.EventTypeName, StringComparer.Ordinal)],
            [.. rows.Select(r => FunnelDayJson.Of(r.Day, r.EventTypeId, Name(r.EventTypeId), r.Counts))]));
    }
}

public sealed record FunnelTotalJson(int PageViews, int SlotSelections, int BookingConfirmations, int Confirmed, int Canceled, int Rescheduled, double ConversionRate)
{
    public static FunnelTotalJson Of(FunnelCounts c) =>
        new(c.PageViews, c.SlotSelections, c.BookingConfirmations, c.Confirmed, c.Canceled, c.Rescheduled, c.ConversionRate);
}

public sealed record FunnelEventTypeJson(
    Guid EventTypeId, string EventTypeName, int PageViews, int SlotSelections, int BookingConfirmations, int Confirmed, int Canceled, int Rescheduled,
    double ConversionRate)
{
    public static FunnelEventTypeJson Of(Guid id, string name, FunnelCounts c) =>
        new(id, name, c.PageViews, c.SlotSelections, c.BookingConfirmations, c.Confirmed, c.Canceled, c.Rescheduled, c.ConversionRate);
}

public sealed record FunnelDayJson(
    DateOnly Date, Guid EventTypeId, string EventTypeName, int PageViews, int SlotSelections, int BookingConfirmations, int Confirmed, int Canceled, int Rescheduled)
{
    public static FunnelDayJson Of(DateOnly day, Guid id, string name, FunnelCounts c) =>
        new(day, id, name, c.PageViews, c.SlotSelections, c.BookingConfirmations, c.Confirmed, c.Canceled, c.Rescheduled);
}

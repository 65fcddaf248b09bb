using Microsoft.AspNetCore.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Npgsql;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Bookings;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.Bookings;
using Wolverine.Http;

namespace OpenCalendly.Host.Availability;

public static class PublicAvailabilityEndpoint
{
    public static ProblemDetails Validate(string? timezone, string? start, string? days) => new FieldErrors()
        .Zone("timezone", timezone)
        .When(start is not null && ParseStart(start) is null, "start", "start must be an ISO-8601 instant with an offset, between 2000 and 2200.")
        .When(days is not null && ParseDays(days) is null, "days", "days must be a whole number from 1 to 30.")
        .ToProblem();

    [ProducesResponseType<Bookings.SlotsJson>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Availability)]
    [WolverineGet("/v0/users/{username}/event-types/{slug}/availability", OperationId = "publicAvailability")]
    public static async Task<IResult> Get(
        string username, string slug, string? timezone, string? start, string? days,
        IQuerySession db, NpgsqlDataSource data, PublicPageCache pages, TakenTimeCache takenTime, TimeProvider clock, CancellationToken ct)
    {
        if (await pages.GetAsync(db, username, slug, ct) is not (var organizer, var eventType, var schedule))
            return Problems.Result(Problems.NotFound("Event type not found."));

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        var (from, to) = Range(start, days, now);

        var taken = await takenTime.OfAsync(organizer.Id, from - SlotInputs.Reach, to + SlotInputs.Reach, ct);

        var counted = await SlotInputs.CountedAsync(db, eventType, SlotInputs.ZoneOf(organizer), from, to, ct);
        var query = SlotInputs.For(organizer, eventType, schedule, taken, from, to, now, counted);
        var slots = SlotCalculator.Compute(query);
        SlotsAnswer answer;
        if (eventType.Seats.IsSeated)
        {
            // Slots that have started filling are read afresh: their seats change without the organizer's time changing.
            await using var connection = await data.OpenConnectionAsync(ct);
            var offered = Seats.Offer(query, slots, await SeatReads.FillingAsync(connection, eventType.Id, from, to, ct), eventType.Seats.PerSlot);
            answer = new SlotsAnswer(timezone ?? "UTC", [.. offered.Select(o => o.Slot)], [.. offered.Select(o => o.SeatsRemaining)]);
        }
        else answer = new SlotsAnswer(timezone ?? "UTC", slots);
        Telemetry.AvailabilityDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return answer;
    }

    /// <summary>The requested range: from <c>start</c> (default now) for <c>days</c> days (default 7), already validated.</summary>
    public static (Instant From, Instant To) Range(string? start, string? days, Instant now)
    {
        var from = start is null ? now : Instant.FromDateTimeOffset(ParseStart(start)!.Value);
        return (from, from + Duration.FromDays(days is null ? 7 : ParseDays(days)!.Value));
    }

    private static DateTimeOffset? ParseStart(string text) =>
        Instants.Parse(text) is { Year: >= 2000 and < 2200 } value ? value : null;

    private static int? ParseDays(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 30 ? n : null;
}

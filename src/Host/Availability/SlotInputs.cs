using Marten;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Availability;

public static class SlotInputs
{
    /// <summary>How far outside a range a reservation can still matter: the longest buffers on both sides.</summary>
    public static readonly Duration Reach = Duration.FromDays(1);

    public static DateTimeZone ZoneOf(User user) => Zones.Find(user.Timezone) ?? DateTimeZone.Utc;

    /// <summary>
    /// The slot query for one person: their zone, schedule and time off, the event type's controls, and the
    /// taken time and cap counts read for the range.
    /// </summary>
    /// <param name="capsZone">Whose days and weeks the caps count: the event type's owner (default: this person).</param>
    public static SlotQuery For(
        User person, EventType eventType, Schedule? schedule, TakenTime taken, Instant from, Instant to, Instant now,
        IReadOnlyList<Instant>? counted = null, DateTimeZone? capsZone = null)
    {
        var zone = ZoneOf(person);
        return new SlotQuery(zone, schedule?.WeeklyRules() ?? [], schedule?.DateOverrides() ?? [], taken.Reserved, taken.Busy,
            from, to, Duration.FromMinutes(eventType.DurationMinutes), Duration.FromMinutes(eventType.Controls.SlotIncrementMinutes), now)
        {
            Limits = SlotLimits.From(eventType.Controls, counted ?? [], schedule?.TimeOffIn(zone, from - Reach, to + Reach) ?? [], capsZone),
        };
    }

    /// <summary>
    /// Starts of the event type's confirmed bookings (of its occasions, when seated) in the weeks around <c>[from, to)</c>,
    /// in the owner's zone; nothing when the event type has no caps. Inside a booking's transaction, under the caps lock.
    /// </summary>
    public static async Task<IReadOnlyList<Instant>> CountedAsync(
        IQuerySession db, EventType eventType, DateTimeZone capsZone, Instant from, Instant to, CancellationToken ct, Guid? ignoring = null)
    {
        if (!eventType.Controls.HasCaps) return [];
        var (first, last) = BookingCaps.CountingRange(capsZone, from, to);
        var (start, end) = (first.ToDateTimeOffset(), last.ToDateTimeOffset());
        var other = ignoring ?? Guid.Empty;
        var starts = await db.Query<Booking>()
            .Where(b => b.EventTypeId == eventType.Id && b.Status == BookingStatus.Confirmed && b.StartsAt >= start && b.StartsAt < end && b.Id != other)
            .Select(b => b.StartsAt)
            .ToListAsync(ct);
        // A seated slot is one occasion, however many seats it has taken.
        var counted = starts.Select(Instant.FromDateTimeOffset);
        return eventType.Seats.IsSeated ? [.. counted.Distinct()] : [.. counted];
    }
}

using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Availability;

public static class SlotInputs
{
    /// <summary>Slots step every 15 minutes of elapsed time (per-event-type steps come with the scheduling controls).</summary>
    public static readonly Duration Step = Duration.FromMinutes(15);

    /// <summary>How far outside a range a reservation can still matter: the longest buffers on both sides.</summary>
    public static readonly Duration Reach = Duration.FromDays(1);

    public static SlotQuery For(User organizer, EventType eventType, Schedule? schedule, TakenTime taken, Instant from, Instant to, Instant now) =>
        new(Zones.Find(organizer.Timezone) ?? DateTimeZone.Utc,
            schedule?.WeeklyRules() ?? [], schedule?.DateOverrides() ?? [], taken.Reserved, taken.Busy,
            from, to, Duration.FromMinutes(eventType.DurationMinutes), Step, now);
}

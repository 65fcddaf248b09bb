using NodaTime;

namespace OpenCalendly.Scheduling.Availability;

/// <summary>
/// Time an organizer is away: whole local dates (first to last, inclusive, in the organizer's zone, so a
/// day off stays the same day when the zone changes its offset) or an exact interval.
/// </summary>
public abstract record TimeOffPeriod
{
    /// <summary>The instants this period blocks for an organizer in <paramref name="zone"/>.</summary>
    public abstract TimeInterval In(DateTimeZone zone);

    public sealed record AllDay(LocalDate FirstDate, LocalDate LastDate) : TimeOffPeriod
    {
        public override TimeInterval In(DateTimeZone zone) =>
            new(zone.AtStartOfDay(FirstDate).ToInstant(), zone.AtStartOfDay(LastDate.PlusDays(1)).ToInstant());
    }

    public sealed record Timed(Instant StartAt, Instant EndAt) : TimeOffPeriod
    {
        public override TimeInterval In(DateTimeZone zone) => new(StartAt, EndAt);
    }
}

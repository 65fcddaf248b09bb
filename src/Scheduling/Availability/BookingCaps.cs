using NodaTime;

namespace OpenCalendly.Scheduling.Availability;

/// <summary>
/// Counts bookings per local date and per local ISO week (Monday first) of the organizer's zone, so a
/// 23- or 25-hour day around a DST change is still one day.
/// </summary>
public sealed class BookingCaps
{
    private readonly DateTimeZone _zone;
    private readonly int? _daily;
    private readonly int? _weekly;
    private readonly Dictionary<LocalDate, int> _byDate = [];
    private readonly Dictionary<LocalDate, int> _byWeek = [];

    public BookingCaps(DateTimeZone zone, int? dailyCap, int? weeklyCap, IEnumerable<Instant> countedStarts)
    {
        (_zone, _daily, _weekly) = (zone, dailyCap, weeklyCap);
        foreach (var start in countedStarts)
        {
            var date = start.InZone(zone).Date;
            var week = WeekOf(date);
            _byDate[date] = _byDate.GetValueOrDefault(date) + 1;
            _byWeek[week] = _byWeek.GetValueOrDefault(week) + 1;
        }
    }

    public bool Limits => _daily is not null || _weekly is not null;

    /// <summary>True when a booking starting at <paramref name="start"/> would exceed a cap.</summary>
    public bool IsFull(Instant start)
    {
        if (!Limits) return false;
        var date = start.InZone(_zone).Date;
        return _byDate.GetValueOrDefault(date) >= _daily || _byWeek.GetValueOrDefault(WeekOf(date)) >= _weekly;
    }

    /// <summary>From the Monday before <paramref name="from"/> to the Monday after <paramref name="to"/>: every booking a cap there counts.</summary>
    public static (Instant From, Instant To) CountingRange(DateTimeZone zone, Instant from, Instant to) =>
        (zone.AtStartOfDay(WeekOf(from.InZone(zone).Date)).ToInstant(), zone.AtStartOfDay(WeekOf(to.InZone(zone).Date).PlusWeeks(1)).ToInstant());

    /// <summary>The Monday that starts the ISO week of <paramref name="date"/>.</summary>
    public static LocalDate WeekOf(LocalDate date) => date.PlusDays(1 - (int)date.DayOfWeek);
}

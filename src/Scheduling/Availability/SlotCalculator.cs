using NodaTime;
using NodaTime.TimeZones;

namespace OpenCalendly.Scheduling.Availability;

/// <summary>
/// Turns weekly wall-clock rules, overrides, reservations and busy windows into bookable slots.
/// Pure: the same query always gives the same slots. Cost grows with slots + blockers
/// (each blocker set is sorted once, each slot probes it by binary search), never slots × blockers.
/// </summary>
public static class SlotCalculator
{
    /// <summary>
    /// A bound in a skipped hour maps to the first instant after the gap, so a window lying wholly
    /// inside the gap collapses to nothing; an ambiguous bound takes the earlier offset. Both are
    /// explicit so no DST edge is resolved by a library default we did not choose.
    /// </summary>
    public static readonly ZoneLocalMappingResolver WallClockResolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    public static IReadOnlyList<Slot> Compute(SlotQuery query)
    {
        if (query.RangeEnd <= query.RangeStart || query.EventDuration <= Duration.Zero || query.Step <= Duration.Zero)
            return [];

        var limits = query.Limits;
        var windows = Windows(query);
        var removed = new IntervalIndex([
            .. query.Overrides.Where(o => !o.IsAvailable).Select(o => new TimeInterval(o.StartAt, o.EndAt)), .. limits.TimeOff]);
        var busy = new IntervalIndex(query.Busy);
        var reserved = new IntervalIndex(query.Reserved);
        var caps = new BookingCaps(limits.CapsZone ?? query.Zone, limits.DailyCap, limits.WeeklyCap, limits.CountedStarts);
        var earliest = Instant.Max(query.RangeStart, query.Now + limits.MinimumNotice);
        var latestStart = LatestStart(limits, query.Zone, query.Now);

        var slots = new List<Slot>(Capacity(windows, query));
        var sorted = true;
        foreach (var window in windows)
        {
            var start = window.Start;
            if (start < earliest)
            {
                // Jump straight to the first step at or after `earliest`: steps stay anchored to the window start.
                var behind = (earliest - start).BclCompatibleTicks;
                var stepTicks = query.Step.BclCompatibleTicks;
                start += Duration.FromTicks((behind + stepTicks - 1) / stepTicks * stepTicks);
            }

            for (; start + query.EventDuration <= window.End; start += query.Step)
            {
                var end = start + query.EventDuration;
                if (end > query.RangeEnd || start >= latestStart) break;

                var slot = new Slot(start, end,
                    window.BufferBeforeMinutes + limits.ExtraBufferBeforeMinutes, window.BufferAfterMinutes + limits.ExtraBufferAfterMinutes);
                if (removed.Overlaps(start, end) || busy.Overlaps(start, end) || caps.IsFull(start)) continue;
                var widened = slot.Reserved;
                if (reserved.Overlaps(widened.Start, widened.End)) continue;

                if (slots.Count > 0 && slots[^1].Start >= start) sorted = false;
                slots.Add(slot);
            }
        }

        return sorted ? slots : SortDistinct(slots);
    }

    /// <summary>The offered slot that starts exactly at <paramref name="start"/>, if there is one.</summary>
    public static Slot? Find(SlotQuery query, Instant start)
    {
        var narrowed = query with { RangeStart = start, RangeEnd = start + query.EventDuration };
        foreach (var slot in Compute(narrowed))
            if (slot.Start == start) return slot;
        return null;
    }

    /// <summary>
    /// Whether a start is still bookable by the notice and the booking window alone, whatever else holds the time (a seated
    /// slot that has started filling holds its organizer's time, and takes more invitees while it has seats).
    /// </summary>
    public static bool InNoticeAndWindow(SlotQuery query, Instant start) => InNoticeAndWindow(query.Limits, query.Zone, query.Now, start);

    /// <summary>The same for an event type's controls alone, its window counted in <paramref name="zone"/> (a team's owner's).</summary>
    public static bool InNoticeAndWindow(EventTypes.BookingControls controls, DateTimeZone zone, Instant now, Instant start) =>
        InNoticeAndWindow(SlotLimits.From(controls, [], []), zone, now, start);

    private static bool InNoticeAndWindow(SlotLimits limits, DateTimeZone zone, Instant now, Instant start) =>
        start >= now + limits.MinimumNotice && start < LatestStart(limits, zone, now);

    /// <summary>
    /// The booking window ends at the start of the local date after its last day, so it counts calendar
    /// days of the organizer (a 23-hour day is still a day).
    /// </summary>
    private static Instant LatestStart(SlotLimits limits, DateTimeZone zone, Instant now) =>
        limits.WindowDays is { } days ? zone.AtStartOfDay(now.InZone(zone).Date.PlusDays(days + 1)).ToInstant() : Instant.MaxValue;

    private static List<Window> Windows(SlotQuery query)
    {
        var byDay = new List<WeeklyRule>?[8];
        foreach (var rule in query.Rules)
            (byDay[(int)rule.Day] ??= []).Add(rule);

        var windows = new List<Window>();
        // Start a day early: a rule of the previous local date can still reach into the range.
        var firstDate = query.RangeStart.InZone(query.Zone).Date.PlusDays(-1);
        var lastDate = query.RangeEnd.InZone(query.Zone).Date;
        for (var date = firstDate; date <= lastDate; date = date.PlusDays(1))
        {
            var rules = byDay[(int)date.DayOfWeek];
            if (rules is null) continue;
            var midnight = date.AtMidnight();
            foreach (var rule in rules)
            {
                var start = Resolve(query.Zone, midnight.PlusMinutes(rule.StartMinute));
                var end = Resolve(query.Zone, midnight.PlusMinutes(rule.EndMinute));
                if (end <= start || end <= query.RangeStart || start >= query.RangeEnd) continue;
                windows.Add(new Window(start, end, rule.BufferBeforeMinutes, rule.BufferAfterMinutes));
            }
        }

        foreach (var o in query.Overrides)
        {
            if (o.IsAvailable && o.EndAt > query.RangeStart && o.StartAt < query.RangeEnd)
                windows.Add(new Window(o.StartAt, o.EndAt, 0, 0));
        }

        windows.Sort(static (a, b) => a.Start.CompareTo(b.Start));
        return windows;
    }

    private static Instant Resolve(DateTimeZone zone, LocalDateTime local) =>
        zone.ResolveLocal(local, WallClockResolver).ToInstant();

    /// <summary>
    /// How many starts the windows can hold inside the range, at most 1,500 (kept under the large-object heap):
    /// the list is sized once instead of doubling its way to a month of slots.
    /// </summary>
    private static int Capacity(List<Window> windows, SlotQuery query)
    {
        long starts = 0;
        var stepTicks = query.Step.BclCompatibleTicks;
        foreach (var window in windows)
        {
            var length = Instant.Min(window.End, query.RangeEnd) - Instant.Max(window.Start, query.RangeStart) - query.EventDuration;
            if (length >= Duration.Zero) starts += length.BclCompatibleTicks / stepTicks + 1;
        }
        return (int)Math.Min(starts, 1_500);
    }

    /// <summary>Overlapping windows offer the same start twice; keep one, the one with larger buffers.</summary>
    private static List<Slot> SortDistinct(List<Slot> slots)
    {
        slots.Sort(static (a, b) =>
        {
            var byStart = a.Start.CompareTo(b.Start);
            return byStart != 0 ? byStart : (b.BufferBeforeMinutes + b.BufferAfterMinutes).CompareTo(a.BufferBeforeMinutes + a.BufferAfterMinutes);
        });
        var distinct = new List<Slot>(slots.Count);
        foreach (var slot in slots)
            if (distinct.Count == 0 || distinct[^1].Start != slot.Start) distinct.Add(slot);
        return distinct;
    }

    private readonly record struct Window(Instant Start, Instant End, int BufferBeforeMinutes, int BufferAfterMinutes);
}

using NodaTime;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Availability;

/// <summary>Everything the slot calculator needs; it reads nothing else.</summary>
/// <param name="Reserved">Existing bookings, each already widened by its own buffers.</param>
/// <param name="Busy">External busy windows (synced calendars); they block the slot itself.</param>
public sealed record SlotQuery(
    DateTimeZone Zone,
    IReadOnlyList<WeeklyRule> Rules,
    IReadOnlyList<AvailabilityOverride> Overrides,
    IReadOnlyList<TimeInterval> Reserved,
    IReadOnlyList<TimeInterval> Busy,
    Instant RangeStart,
    Instant RangeEnd,
    Duration EventDuration,
    Duration Step,
    Instant Now)
{
    /// <summary>The event type's controls and the organizer's time off; none unless set.</summary>
    public SlotLimits Limits { get; init; } = SlotLimits.None;
}

/// <summary>Limits on top of the weekly schedule: notice, window, extra buffers, caps and time off.</summary>
public sealed record SlotLimits
{
    public static SlotLimits None { get; } = new();

    public Duration MinimumNotice { get; init; } = Duration.Zero;

    /// <summary>A slot may start on the organizer's local date of <c>Now</c> or up to this many dates after it.</summary>
    public int? WindowDays { get; init; }

    public int ExtraBufferBeforeMinutes { get; init; }

    public int ExtraBufferAfterMinutes { get; init; }

    public int? DailyCap { get; init; }

    public int? WeeklyCap { get; init; }

    /// <summary>Whose local days and weeks the caps count (a team event type's owner); null: the query's zone.</summary>
    public DateTimeZone? CapsZone { get; init; }

    /// <summary>Starts of the confirmed bookings that count toward the caps (the weeks around the range).</summary>
    public IReadOnlyList<Instant> CountedStarts { get; init; } = [];

    /// <summary>The organizer's time off, already resolved to instants: it blocks the slot itself.</summary>
    public IReadOnlyList<TimeInterval> TimeOff { get; init; } = [];

    public static SlotLimits From(
        BookingControls controls, IReadOnlyList<Instant> countedStarts, IReadOnlyList<TimeInterval> timeOff, DateTimeZone? capsZone = null) => new()
    {
        MinimumNotice = Duration.FromMinutes(controls.MinimumNoticeMinutes),
        WindowDays = controls.BookingWindowDays,
        ExtraBufferBeforeMinutes = controls.BufferBeforeMinutes,
        ExtraBufferAfterMinutes = controls.BufferAfterMinutes,
        DailyCap = controls.DailyCap,
        WeeklyCap = controls.WeeklyCap,
        CountedStarts = countedStarts,
        TimeOff = timeOff,
        CapsZone = capsZone,
    };
}

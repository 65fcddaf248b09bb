using NodaTime;

namespace OpenCalendly.Scheduling.Availability;

/// <summary>A weekly window in the organizer's wall-clock time: <c>[StartMinute, EndMinute)</c> of <see cref="Day"/>.</summary>
public sealed record WeeklyRule(
    IsoDayOfWeek Day,
    int StartMinute,
    int EndMinute,
    int BufferBeforeMinutes,
    int BufferAfterMinutes);

/// <summary>An absolute interval that adds (<c>IsAvailable</c>) or removes availability.</summary>
public sealed record AvailabilityOverride(Instant StartAt, Instant EndAt, bool IsAvailable);

/// <summary>A half-open interval of instants, <c>[Start, End)</c>.</summary>
public readonly record struct TimeInterval(Instant Start, Instant End)
{
    public bool Overlaps(TimeInterval other) => Start < other.End && other.Start < End;
}

/// <summary>A bookable slot, with the buffers of the window that holds it.</summary>
public readonly record struct Slot(Instant Start, Instant End, int BufferBeforeMinutes, int BufferAfterMinutes)
{
    /// <summary>The slot widened by its buffers: what it reserves of the organizer's time.</summary>
    public TimeInterval Reserved =>
        new(Start - Duration.FromMinutes(BufferBeforeMinutes), End + Duration.FromMinutes(BufferAfterMinutes));
}

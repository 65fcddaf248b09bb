using NodaTime;

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
    Instant Now);

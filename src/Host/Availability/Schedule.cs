using Marten;
using NodaTime;
using OpenCalendly.Scheduling.Availability;

namespace OpenCalendly.Host.Availability;

public sealed record ScheduleRule(Guid Id, int DayOfWeek, int StartMinute, int EndMinute, int BufferBeforeMinutes, int BufferAfterMinutes, DateTimeOffset CreatedAt);

public sealed record ScheduleOverride(Guid Id, DateTimeOffset StartAt, DateTimeOffset EndAt, bool IsAvailable, string? Reason, DateTimeOffset CreatedAt);

/// <summary>An organizer's weekly rules and date overrides: configuration, kept as one document per user.</summary>
public sealed class Schedule
{
    public Guid Id { get; set; }
    public List<ScheduleRule> Rules { get; set; } = [];
    public List<ScheduleOverride> Overrides { get; set; } = [];

    public IReadOnlyList<WeeklyRule> WeeklyRules() =>
        [.. Rules.Select(r => new WeeklyRule(r.DayOfWeek == 0 ? IsoDayOfWeek.Sunday : (IsoDayOfWeek)r.DayOfWeek,
            r.StartMinute, r.EndMinute, r.BufferBeforeMinutes, r.BufferAfterMinutes))];

    public IReadOnlyList<AvailabilityOverride> DateOverrides() =>
        [.. Overrides.Select(o => new AvailabilityOverride(Instant.FromDateTimeOffset(o.StartAt), Instant.FromDateTimeOffset(o.EndAt), o.IsAvailable))];
}

public static class AvailabilityStore
{
    public static void Apply(StoreOptions opts) => opts.Schema.For<Schedule>();
}

using Marten;
using NodaTime;
using OpenCalendly.Scheduling.Availability;

namespace OpenCalendly.Host.Availability;

public sealed record ScheduleRule(Guid Id, int DayOfWeek, int StartMinute, int EndMinute, int BufferBeforeMinutes, int BufferAfterMinutes, DateTimeOffset CreatedAt);

public sealed record ScheduleOverride(Guid Id, DateTimeOffset StartAt, DateTimeOffset EndAt, bool IsAvailable, string? Reason, DateTimeOffset CreatedAt);

/// <summary>
/// Time away: whole local dates (<see cref="FirstDate"/>–<see cref="LastDate"/>, inclusive, in the organizer's zone) or an
/// exact interval (<see cref="StartAt"/>–<see cref="EndAt"/>). <see cref="Holiday"/> names the preset it came from.
/// </summary>
public sealed record ScheduleTimeOff(
    Guid Id, DateOnly? FirstDate, DateOnly? LastDate, DateTimeOffset? StartAt, DateTimeOffset? EndAt, string? Reason, string? Holiday, DateTimeOffset CreatedAt)
{
    public TimeOffPeriod Period => FirstDate is { } first
        ? new TimeOffPeriod.AllDay(LocalDate.FromDateOnly(first), LocalDate.FromDateOnly(LastDate ?? first))
        : new TimeOffPeriod.Timed(Instant.FromDateTimeOffset(StartAt!.Value), Instant.FromDateTimeOffset(EndAt!.Value));
}

/// <summary>An organizer's weekly rules, date overrides and time off: configuration, kept as one document per user.</summary>
public sealed class Schedule
{
    public Guid Id { get; set; }
    public List<ScheduleRule> Rules { get; set; } = [];
    public List<ScheduleOverride> Overrides { get; set; } = [];
    public List<ScheduleTimeOff> TimeOff { get; set; } = [];

    /// <summary>A new organizer's hours: Monday to Friday, 09:00–17:00 in their own zone, so their first event type is bookable.</summary>
    public static Schedule WorkingWeek(Guid userId, DateTimeOffset now) => new()
    {
        Id = userId,
        Rules = [.. Enumerable.Range(1, 5).Select(day => new ScheduleRule(Guid.CreateVersion7(), day, 9 * 60, 17 * 60, 0, 0, now))],
    };

    /// <summary>The time off that reaches into <c>[from, to)</c>, resolved in <paramref name="zone"/>.</summary>
    public IReadOnlyList<TimeInterval> TimeOffIn(DateTimeZone zone, Instant from, Instant to) =>
        TimeOff.Count == 0 ? [] : [.. TimeOff.Select(t => t.Period.In(zone)).Where(i => i.Start < to && from < i.End)];

    public IReadOnlyList<WeeklyRule> WeeklyRules() =>
        [.. Rules.Select(r => new WeeklyRule(r.DayOfWeek == 0 ? IsoDayOfWeek.Sunday : (IsoDayOfWeek)r.DayOfWeek,
            r.StartMinute, r.EndMinute, r.BufferBeforeMinutes, r.BufferAfterMinutes))];

    public IReadOnlyList<AvailabilityOverride> DateOverrides() =>
        [.. Overrides.Select(o => new AvailabilityOverride(Instant.FromDateTimeOffset(o.StartAt), Instant.FromDateTimeOffset(o.EndAt), o.IsAvailable))];
}

public static class AvailabilityStore
{
    public static void Apply(StoreOptions opts) => opts.Schema.For<Schedule>().UseOptimisticConcurrency(true);
}

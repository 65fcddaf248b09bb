using NodaTime;
using NodaTime.Text;
using OpenCalendly.Scheduling.Availability;

namespace OpenCalendly.Scheduling.Tests;

/// <summary>Builds slot queries for tests: one zone, rules and a range given in readable text.</summary>
public static class SlotQueries
{
    public static Instant At(string iso) => InstantPattern.ExtendedIso.Parse(iso).Value;

    public static WeeklyRule Rule(IsoDayOfWeek day, string from, string to, int before = 0, int after = 0) =>
        new(day, Minutes(from), Minutes(to), before, after);

    public static SlotQuery Query(
        string zone, IEnumerable<WeeklyRule> rules, string rangeStart, int days,
        int durationMinutes = 30, IEnumerable<AvailabilityOverride>? overrides = null,
        IEnumerable<TimeInterval>? reserved = null, IEnumerable<TimeInterval>? busy = null, string? now = null, int stepMinutes = 15)
    {
        var start = At(rangeStart);
        return new SlotQuery(
            DateTimeZoneProviders.Tzdb[zone], [.. rules], [.. overrides ?? []], [.. reserved ?? []], [.. busy ?? []],
            start, start + Duration.FromDays(days), Duration.FromMinutes(durationMinutes), Duration.FromMinutes(stepMinutes),
            now is null ? At("2000-01-01T00:00:00Z") : At(now));
    }

    public static string[] Starts(SlotQuery query) =>
        [.. SlotCalculator.Compute(query).Select(s => InstantPattern.ExtendedIso.Format(s.Start))];

    public static string[] LocalStarts(SlotQuery query) =>
        [.. SlotCalculator.Compute(query).Select(s => s.Start.InZone(query.Zone).LocalDateTime.ToString("yyyy-MM-dd HH:mm", null))];

    private static int Minutes(string hhmm) => hhmm == "24:00" ? 1440 : int.Parse(hhmm[..2]) * 60 + int.Parse(hhmm[3..]);
}

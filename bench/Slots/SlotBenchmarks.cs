using BenchmarkDotNet.Attributes;
using NodaTime;
using NodaTime.Text;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;
using OpenCalendly.Scheduling.Teams;

namespace OpenCalendly.Bench.Slots;

/// <summary>
/// The slot calculator on a 30-day window from 2027-03-01 in America/New_York, Monday–Friday 09:00–17:00,
/// a 30-minute event and 15-minute steps (682 slots when nothing is booked).
/// </summary>
[MemoryDiagnoser]
public class SlotBenchmarks
{
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];
    private static readonly Instant From = InstantPattern.ExtendedIso.Parse("2027-03-01T05:00:00Z").Value;
    private static readonly Instant To = From + Duration.FromDays(30);
    private static readonly WeeklyRule[] Weekdays =
        [.. new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .Select(d => new WeeklyRule(d, 9 * 60, 17 * 60, 0, 0))];

    private SlotQuery _empty = null!, _thousand = null!, _tenThousandOffHours = null!, _thousandWithBusy = null!;
    private SlotQuery[] _roundRobinTeam = null!, _collectiveTeam = null!;

    [GlobalSetup]
    public void Setup()
    {
        _empty = Query([], []);
        _thousand = Query(Spread(1_000, seed: 1), []);
        _tenThousandOffHours = Query(OffHours(10_000), []);
        _thousandWithBusy = Query(Spread(1_000, seed: 2), BusyPerDay(10));
        _roundRobinTeam = [.. Enumerable.Range(0, 5).Select(i => Query(Spread(1_000, seed: 10 + i), []))];
        _collectiveTeam = [.. Enumerable.Range(0, 5).Select(i => Query(Spread(100, seed: 20 + i), []))];
    }

    [Benchmark(Description = "0 bookings (682 slots)")]
    public int NoBookings() => SlotCalculator.Compute(_empty).Count;

    [Benchmark(Description = "1,000 bookings spread over the window")]
    public int ThousandBookings() => SlotCalculator.Compute(_thousand).Count;

    [Benchmark(Description = "10,000 bookings, none overlapping a slot")]
    public int TenThousandOffHours() => SlotCalculator.Compute(_tenThousandOffHours).Count;

    [Benchmark(Description = "1,000 bookings + 10 busy windows per day")]
    public int ThousandWithBusy() => SlotCalculator.Compute(_thousandWithBusy).Count;

    [Benchmark(Description = "team of 5, round robin, 1,000 bookings each")]
    public int RoundRobinTeam() => Team(TeamMode.RoundRobin, _roundRobinTeam);

    [Benchmark(Description = "team of 5, collective, 100 bookings each")]
    public int CollectiveTeam() => Team(TeamMode.Collective, _collectiveTeam);

    /// <summary>Every member's slots, merged, and the round-robin order for the first offered slot.</summary>
    private static int Team(TeamMode mode, SlotQuery[] members)
    {
        var byMember = new Dictionary<Guid, IReadOnlyList<Slot>>(members.Length);
        for (var i = 0; i < members.Length; i++) byMember[MemberIds[i]] = SlotCalculator.Compute(members[i]);
        var merged = TeamSlots.Merge(mode, byMember);
        return merged.Count == 0 ? 0 : merged.Count + RoundRobin.Order(merged[0].Members.Select(m => m.MemberId), Tallies).Count;
    }

    private static readonly Guid[] MemberIds = [.. Enumerable.Range(1, 5).Select(i => new Guid(i, 0, 0, new byte[8]))];
    private static readonly Dictionary<Guid, AssignmentTally> Tallies = MemberIds.ToDictionary(id => id, id => new AssignmentTally(id.GetHashCode() & 7, null));

    private static SlotQuery Query(TimeInterval[] reserved, TimeInterval[] busy) =>
        new(NewYork, Weekdays, [], reserved, busy, From, To, Duration.FromMinutes(30), Duration.FromMinutes(15), From);

    /// <summary>Bookings of 30 minutes at random 15-minute marks of the whole window, sorted as the database returns them.</summary>
    private static TimeInterval[] Spread(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count)
            .Select(_ => From + Duration.FromMinutes(15 * random.Next(0, 30 * 96)))
            .Select(start => new TimeInterval(start, start + Duration.FromMinutes(30)))
            .OrderBy(i => i.Start)];
    }

    /// <summary>Bookings that never touch working hours: 00:00–08:00 New York time, a few minutes each.</summary>
    private static TimeInterval[] OffHours(int count)
    {
        var perDay = (count + 29) / 30;
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var day = LocalDate.FromDateTime(new DateTime(2027, 3, 1)).PlusDays(i / perDay);
            var start = NewYork.AtLeniently(day.AtMidnight().PlusMinutes(i % perDay * (480 / perDay))).ToInstant();
            return new TimeInterval(start, start + Duration.FromMinutes(1));
        }).OrderBy(i => i.Start)];
    }

    private static TimeInterval[] BusyPerDay(int perDay) =>
        [.. Enumerable.Range(0, 30).SelectMany(day => Enumerable.Range(0, perDay).Select(k =>
        {
            var start = From + Duration.FromDays(day) + Duration.FromMinutes(8 * 60 + k * 60 + 7);
            return new TimeInterval(start, start + Duration.FromMinutes(20));
        }))];
}

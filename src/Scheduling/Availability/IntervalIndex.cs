using NodaTime;

namespace OpenCalendly.Scheduling.Availability;

/// <summary>
/// Answers "does anything overlap [a, b)?" in O(log n): interval starts sorted, plus the running maximum
/// of their ends. Any interval starting before b overlaps iff the largest end among them exceeds a.
/// Instants are kept as Unix ticks, so ten thousand intervals fit in two small arrays.
/// </summary>
public sealed class IntervalIndex
{
    private readonly long[] _starts;
    private readonly long[] _maxEndSoFar;

    public IntervalIndex(IReadOnlyList<TimeInterval> intervals)
    {
        var sorted = IsSorted(intervals) ? intervals : [.. intervals.OrderBy(i => i.Start)];
        var starts = new long[sorted.Count];
        var maxEnds = new long[sorted.Count];
        var count = 0;
        var maxEnd = long.MinValue;
        foreach (var interval in sorted)
        {
            if (interval.End <= interval.Start) continue;
            maxEnd = Math.Max(maxEnd, interval.End.ToUnixTimeTicks());
            starts[count] = interval.Start.ToUnixTimeTicks();
            maxEnds[count++] = maxEnd;
        }
        (_starts, _maxEndSoFar) = count == sorted.Count ? (starts, maxEnds) : (starts[..count], maxEnds[..count]);
    }

    public bool Overlaps(Instant start, Instant end)
    {
        var startingBeforeEnd = LowerBound(end.ToUnixTimeTicks());
        return startingBeforeEnd > 0 && _maxEndSoFar[startingBeforeEnd - 1] > start.ToUnixTimeTicks();
    }

    /// <summary>The number of intervals whose start is strictly before <paramref name="value"/>.</summary>
    private int LowerBound(long value)
    {
        int lo = 0, hi = _starts.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_starts[mid] < value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static bool IsSorted(IReadOnlyList<TimeInterval> intervals)
    {
        for (var i = 1; i < intervals.Count; i++)
            if (intervals[i].Start < intervals[i - 1].Start) return false;
        return true;
    }
}

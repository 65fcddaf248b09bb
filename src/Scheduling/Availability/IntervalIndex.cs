using NodaTime;

namespace OpenCalendly.Scheduling.Availability;

/// <summary>
/// Answers "does anything overlap [a, b)?" in O(log n): intervals sorted by start, plus the running
/// maximum of their ends. Any interval starting before b overlaps iff the largest end among them exceeds a.
/// </summary>
public sealed class IntervalIndex
{
    private readonly Instant[] _starts;
    private readonly Instant[] _maxEndSoFar;

    public IntervalIndex(IEnumerable<TimeInterval> intervals)
    {
        var sorted = intervals.Where(i => i.End > i.Start).ToArray();
        if (!IsSorted(sorted)) Array.Sort(sorted, static (x, y) => x.Start.CompareTo(y.Start));

        _starts = new Instant[sorted.Length];
        _maxEndSoFar = new Instant[sorted.Length];
        for (var i = 0; i < sorted.Length; i++)
        {
            _starts[i] = sorted[i].Start;
            _maxEndSoFar[i] = i == 0 ? sorted[i].End : Instant.Max(_maxEndSoFar[i - 1], sorted[i].End);
        }
    }

    public int Count => _starts.Length;

    public bool Overlaps(Instant start, Instant end)
    {
        var startingBeforeEnd = LowerBound(end);
        return startingBeforeEnd > 0 && _maxEndSoFar[startingBeforeEnd - 1] > start;
    }

    /// <summary>The number of intervals whose start is strictly before <paramref name="value"/>.</summary>
    private int LowerBound(Instant value)
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

    private static bool IsSorted(TimeInterval[] intervals)
    {
        for (var i = 1; i < intervals.Length; i++)
            if (intervals[i].Start < intervals[i - 1].Start) return false;
        return true;
    }
}

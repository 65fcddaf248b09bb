namespace OpenCalendly.Host.Health;

/// <summary>
/// Gives a burst's memory back once the host goes quiet. After a burst (10,000 bookings and their queued emails)
/// the garbage collector keeps what the burst promoted and then left dead, about 100 MB here, until enough new
/// allocation calls for a full collection, which an idle host never makes. At the first quiet interval after a
/// busy spell this runs one full collection in <see cref="GCCollectionMode.Aggressive"/> mode (compacting, and
/// giving the freed memory back to the system). Quiet means next to no requests, so its pause meets none to speak of.
/// </summary>
public sealed partial class IdleMemoryTrim(IConfiguration config, ILogger<IdleMemoryTrim> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var interval = TimeSpan.FromSeconds(config.GetValue("Memory:IdleTrimSeconds", 10.0));
        if (interval <= TimeSpan.Zero) return;
        var spells = new BusySpells(
            quietBytes: (long)(config.GetValue("Memory:QuietMegabytesPerSecond", 1.0) * interval.TotalSeconds * 1024 * 1024),
            busyBytes: config.GetValue("Memory:BusySpellMegabytes", 256L) * 1024 * 1024);
        using var timer = new PeriodicTimer(interval);
        var allocated = GC.GetTotalAllocatedBytes();
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = GC.GetTotalAllocatedBytes();
                if (spells.EndsWith(now - allocated)) Trim();
                allocated = GC.GetTotalAllocatedBytes();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private void Trim()
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Trimmed(log, before / (1024 * 1024), GC.GetGCMemoryInfo().TotalCommittedBytes / (1024 * 1024));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Quiet after a busy spell: GC memory trimmed from {BeforeMegabytes} MB to {AfterMegabytes} MB")]
    private static partial void Trimmed(ILogger logger, long beforeMegabytes, long afterMegabytes);
}

/// <summary>
/// Tells, interval by interval, when a busy spell ends: the first interval that allocated less than
/// <c>quietBytes</c> after at least <c>busyBytes</c> were allocated since the last spell ended (or the start).
/// </summary>
public sealed class BusySpells(long quietBytes, long busyBytes)
{
    private long _sinceLastSpell;

    /// <summary>Counts one interval's allocation; true when it is the quiet one that ends a busy spell.</summary>
    public bool EndsWith(long allocatedBytes)
    {
        _sinceLastSpell += allocatedBytes;
        if (allocatedBytes >= quietBytes || _sinceLastSpell < busyBytes) return false;
        _sinceLastSpell = 0;
        return true;
    }
}

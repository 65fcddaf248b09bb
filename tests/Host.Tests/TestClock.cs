namespace OpenCalendly.Host.Tests;

/// <summary>Real time shifted by <see cref="Offset"/>, so a test can step past a booking's start.</summary>
public sealed class TestClock : TimeProvider
{
    public TimeSpan Offset { get; set; }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;

    /// <summary>Runs <paramref name="body"/> with the clock at <paramref name="now"/>, then puts it back.</summary>
    public async Task At(DateTimeOffset now, Func<Task> body)
    {
        Offset = now - System.GetUtcNow();
        try { await body(); }
        finally { Offset = TimeSpan.Zero; }
    }

    /// <summary>Runs <paramref name="body"/> with the clock at <paramref name="now"/> and answers what it answered.</summary>
    public async Task<T> At<T>(DateTimeOffset now, Func<Task<T>> body)
    {
        var result = default(T);
        await At(now, async () => { result = await body(); });
        return result!;
    }
}

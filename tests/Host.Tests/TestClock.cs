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
}

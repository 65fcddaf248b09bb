namespace OpenCalendly.Host.Api;

public static class Backoff
{
    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based): <paramref name="first"/>, doubling, capped.</summary>
    public static TimeSpan DelayAfter(int attempt, TimeSpan first, TimeSpan cap) =>
        TimeSpan.FromTicks((long)Math.Min(cap.Ticks, first.Ticks * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30))));

    /// <summary>"Look again shortly" for work that found someone else busy: 2–5 s, spread so a crowd does not return at once.</summary>
    public static TimeSpan Soon() => TimeSpan.FromSeconds(2 + Random.Shared.NextDouble() * 3);
}

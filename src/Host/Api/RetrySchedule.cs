using System.Globalization;

namespace OpenCalendly.Host.Api;

/// <summary>
/// Delays between attempts of durable side effects (<c>Messaging:RetryDelaysSeconds</c>, default
/// 30,60,120,240,480: six attempts in about 15 minutes). Tests shorten it.
/// </summary>
public sealed record RetrySchedule(IReadOnlyList<TimeSpan> Delays)
{
    public int MaxAttempts => Delays.Count + 1;

    public static RetrySchedule From(IConfiguration config) =>
        new((config["Messaging:RetryDelaysSeconds"] ?? "30,60,120,240,480")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => TimeSpan.FromSeconds(double.Parse(s, CultureInfo.InvariantCulture)))
            .ToArray());
}

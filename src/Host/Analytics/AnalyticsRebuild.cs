using System.Diagnostics;
using JasperFx.CommandLine;
using JasperFx.Events.Projections;
using Marten;
using OpenCalendly.Projections;
using OpenCalendly.Projections.Analytics;

namespace OpenCalendly.Host.Analytics;

public sealed record RebuildReport(long Events, long CaughtUp, TimeSpan Elapsed)
{
    public double EventsPerSecond => Elapsed.TotalSeconds > 0 ? Events / Elapsed.TotalSeconds : Events;
}

/// <summary>
/// Rebuilds the analytics read models from the event store while servers keep writing to them. Marten's rebuild
/// tears the tables down and replays up to the high-water mark it found when it started; events committed between
/// that moment and the teardown would be lost, so a catch-up pass then re-applies every event from shortly before
/// the start. The projection is idempotent (a booking and a funnel event each count once), so events the inline
/// path or the rebuild already applied change nothing the second time.
/// </summary>
public static class AnalyticsRebuild
{
    /// <summary>How far before the start the catch-up reaches back: covers transactions that drew their sequence early and committed late.</summary>
    public const long CatchUpMargin = 10_000;

    public static async Task<RebuildReport> RunAsync(IDocumentStore store, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var before = await HighestSequenceAsync(store, ct);
        using (var daemon = await store.BuildProjectionDaemonAsync())
            await daemon.RebuildProjectionAsync(FunnelProjection.ProjectionName, timeout, ct);

        var projection = StoreConfiguration.Funnel;
        var from = Math.Max(0, before - CatchUpMargin);
        long caughtUp = 0;
        while (true)
        {
            await using var session = store.LightweightSession();
            var events = await session.Events.QueryAllRawEvents().Where(e => e.Sequence > from).OrderBy(e => e.Sequence).Take(1000).ToListAsync(ct);
            if (events.Count == 0) break;
            await ((IJasperFxProjection<IDocumentOperations>)projection).ApplyAsync(session, events, ct);
            await session.SaveChangesAsync(ct);
            caughtUp += events.Count;
            from = events[^1].Sequence;
        }
        return new RebuildReport(await HighestSequenceAsync(store, ct), caughtUp, clock.Elapsed);
    }

    private static async Task<long> HighestSequenceAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return await session.Events.QueryAllRawEvents().OrderByDescending(e => e.Sequence).Select(e => e.Sequence).FirstOrDefaultAsync(ct);
    }
}

[Description("Rebuild the analytics read models (funnel, bookings by outcome, round-robin assignments) from the event store; safe while servers run", Name = "analytics-rebuild")]
public sealed class AnalyticsRebuildCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var store = host.Services.GetRequiredService<IDocumentStore>();
        Console.WriteLine("Rebuilding the Funnel projection from the event store…");
        var report = await AnalyticsRebuild.RunAsync(store, TimeSpan.FromMinutes(30), CancellationToken.None);
        Console.WriteLine($"Rebuilt from {report.Events:N0} events in {report.Elapsed.TotalSeconds:N1} s ({report.EventsPerSecond:N0} events/s); " +
            $"re-applied {report.CaughtUp:N0} recent events to catch up with writes made meanwhile.");
        return true;
    }
}

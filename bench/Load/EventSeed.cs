using System.Diagnostics;
using System.Globalization;
using JasperFx;
using Marten;
using OpenCalendly.Projections;
using OpenCalendly.Scheduling.Analytics;

/// <summary>
/// Appends funnel events straight to the event store (through Marten, with the inline projections, as the
/// host writes them) so the rebuild can be measured over a million events without a million HTTP requests.
/// Spread over 50 event types and their days, 5,000 events a commit.
/// </summary>
public static class EventSeed
{
    private const int PerCommit = 5_000, EventTypes = 50;

    public static async Task<int> RunAsync(string connectionString, int count)
    {
        using var store = DocumentStore.For(opts =>
        {
            opts.Connection(connectionString);
            StoreConfiguration.Apply(opts);
            opts.AutoCreateSchemaObjects = AutoCreate.None;   // the host made the schema
        });
        var eventTypes = Enumerable.Range(0, EventTypes).Select(_ => Guid.NewGuid()).ToArray();
        var organizer = Guid.NewGuid();
        var first = new DateTimeOffset(2031, 1, 1, 9, 0, 0, TimeSpan.Zero);
        var clock = Stopwatch.StartNew();
        for (var written = 0; written < count; written += PerCommit)
        {
            await using var session = store.LightweightSession();
            for (var i = written; i < Math.Min(count, written + PerCommit); i++)
            {
                var eventType = eventTypes[i % EventTypes];
                var at = first.AddMinutes(i / EventTypes);
                var stage = i % 3 == 0 ? FunnelStage.SlotSelection : FunnelStage.PageView;
                session.Events.Append(FunnelStream.Id(eventType, DateOnly.FromDateTime(at.UtcDateTime)), FunnelStream.Event(stage, eventType, organizer, at));
            }
            await session.SaveChangesAsync();
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  seeded {count:N0} funnel events over {EventTypes} event types in {clock.Elapsed.TotalSeconds:F1} s ({count / clock.Elapsed.TotalSeconds:N0} events/s, {PerCommit:N0} a commit)"));
        return 0;
    }
}

using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenCalendly.Host.Analytics;
using OpenCalendly.Scheduling.Analytics;

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class FunnelRecorderTests(App app)
{
    [Fact]
    public async Task what_was_handed_over_before_the_host_stops_is_still_committed()
    {
        var store = app.Host.Services.GetRequiredService<IDocumentStore>();
        var recorder = new FunnelRecorder(store);
        var stream = Guid.NewGuid();
        BookingPageViewed View() => new(Guid.NewGuid(), Guid.NewGuid(), DateTimeOffset.UtcNow);
        await recorder.StartAsync(CancellationToken.None);

        // Another node holds the stream's lock: the writer's first commit waits, and two more events queue behind it.
        await using var otherNode = new NpgsqlConnection(App.ConnectionString);
        await otherNode.OpenAsync();
        await using var holding = await otherNode.BeginTransactionAsync();
        var key = OpenCalendly.Projections.LockKey.Of(OpenCalendly.Projections.LockKind.EventStream, stream);
        await using (var take = new NpgsqlCommand("select pg_advisory_xact_lock($1, $2)", otherNode, holding)
                     { Parameters = { new() { Value = (int)key.Kind }, new() { Value = key.Id } } })
            await take.ExecuteNonQueryAsync();
        var first = recorder.RecordAsync(stream, View());
        await Task.Delay(300);
        List<Task> handedOver = [first, recorder.RecordAsync(stream, View()), recorder.RecordAsync(stream, View())];

        var stopped = recorder.StopAsync(CancellationToken.None);
        await holding.RollbackAsync();
        await stopped.WaitAsync(TimeSpan.FromSeconds(20));

        await Task.WhenAll(handedOver).WaitAsync(TimeSpan.FromSeconds(20));
        recorder.ExecuteTask!.IsCompletedSuccessfully.ShouldBeTrue();
        await using var session = store.QuerySession();
        (await session.Events.FetchStreamAsync(stream)).Count.ShouldBe(3);
        await Should.ThrowAsync<OperationCanceledException>(() => recorder.RecordAsync(stream, View()));
    }
}

using System.Threading.Channels;
using Marten;
using Npgsql;
using OpenCalendly.Projections;

namespace OpenCalendly.Host.Analytics;

/// <summary>
/// Group commit for funnel events. Requests hand their event over and wait; one writer takes every event
/// waiting, appends them to their streams under each stream's advisory lock (taken in key order, so writers on
/// other nodes never deadlock with it), commits once, and answers them all. A busy booking page then costs a
/// share of a commit instead of a commit, and events of one day's stream no longer queue behind each other's
/// transactions. The commit doesn't wait for its WAL to reach the disk (<c>synchronous_commit = off</c>): a
/// crash in that moment loses the last few funnel events, never a booking.
/// </summary>
public sealed class FunnelRecorder(IDocumentStore store) : BackgroundService
{
    private const int MostPerCommit = 1000;

    private readonly Channel<Waiting> _waiting = Channel.CreateUnbounded<Waiting>(new UnboundedChannelOptions { SingleReader = true });

    private sealed record Waiting(Guid Stream, object Event, TaskCompletionSource Committed);

    /// <summary>Completes when <paramref name="event"/> is committed to <paramref name="stream"/>.</summary>
    public Task RecordAsync(Guid stream, object @event)
    {
        var waiting = new Waiting(stream, @event, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        return _waiting.Writer.TryWrite(waiting) ? waiting.Committed.Task : Task.FromException(new OperationCanceledException("The host is stopping."));
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        try
        {
            while (await _waiting.Reader.WaitToReadAsync(stop)) await CommitWaitingAsync();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        // Stopping: nothing more is accepted (a late request is answered with an error, not dropped silently);
        // what was handed over before is committed.
        _waiting.Writer.TryComplete();
        while (await _waiting.Reader.WaitToReadAsync(CancellationToken.None)) await CommitWaitingAsync();
    }

    private async Task CommitWaitingAsync()
    {
        var batch = new List<Waiting>();
        while (batch.Count < MostPerCommit && _waiting.Reader.TryRead(out var waiting)) batch.Add(waiting);
        try
        {
            await using var session = store.LightweightSession();
            await session.BeginTransactionAsync(CancellationToken.None);
            await using (var prepare = new NpgsqlBatch(session.Connection) { BatchCommands = { new("set local synchronous_commit = off") } })
            {
                foreach (var key in batch.Select(w => LockKey.Of(LockKind.EventStream, w.Stream)).Distinct().Order())
                    prepare.BatchCommands.Add(AdvisoryLocks.Take(key));
                await prepare.ExecuteNonQueryAsync(CancellationToken.None);
            }
            foreach (var stream in batch.GroupBy(w => w.Stream))
                session.Events.Append(stream.Key, stream.Select(w => w.Event));
            await session.SaveChangesAsync(CancellationToken.None);
            foreach (var waiting in batch) waiting.Committed.TrySetResult();
        }
        catch (Exception e)
        {
            foreach (var waiting in batch) waiting.Committed.TrySetException(e);
        }
    }

}

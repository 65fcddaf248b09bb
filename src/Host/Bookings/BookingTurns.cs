using OpenCalendly.Projections;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Bookings;

/// <summary>
/// This node's queue in front of <see cref="Reservations.LockAsync"/>: writes that would take the same advisory
/// locks take turns here first, in memory and without a database connection. PostgreSQL then sees at most one
/// request per person from each node (its lock is contended only across nodes), and a crowd racing for one slot
/// waits here instead of holding a hundred connections that poll the lock. Correctness does not rest on it: the
/// advisory locks and the exclusion constraint decide as before.
/// </summary>
public sealed class BookingTurns
{
    private readonly Dictionary<LockKey, Gate> _gates = [];

    /// <summary>One key's turn: whether someone holds it, how many hold or wait for it, and the signal of its next release.</summary>
    internal sealed class Gate
    {
        public bool Held;
        public int Users;
        public TaskCompletionSource Released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Waits for the turn of every lock key of this booking, in <see cref="Reservations.LockKeys"/> order (so two
    /// requests never wait for each other crosswise).
    /// </summary>
    public async Task<Turn> TakeAsync(EventType eventType, IEnumerable<Guid> userIds, CancellationToken ct) =>
        (await WaitAsync(eventType, userIds, giveUp: null, ct))!;

    /// <summary>
    /// <see cref="TakeAsync"/>, except that whenever the turn it waits for is handed on, the request asks
    /// <paramref name="giveUp"/> first: true stops waiting and the answer is null (whoever went first took the slot).
    /// Every waiter asks at once, so a crowd that lost the slot leaves together rather than one by one.
    /// </summary>
    public Task<Turn?> TakeUnlessAsync(EventType eventType, IEnumerable<Guid> userIds, Func<Task<bool>> giveUp, CancellationToken ct) =>
        WaitAsync(eventType, userIds, giveUp, ct);

    private async Task<Turn?> WaitAsync(EventType eventType, IEnumerable<Guid> userIds, Func<Task<bool>>? giveUp, CancellationToken ct)
    {
        var turn = new Turn(this);
        try
        {
            foreach (var key in Reservations.LockKeys(eventType, userIds))
            {
                var gate = Join(key);
                try
                {
                    while (TryHold(gate) is { } released)
                    {
                        await released.WaitAsync(ct);
                        if (giveUp is not null && await giveUp())
                        {
                            Leave(key, gate);
                            turn.Dispose();
                            return null;
                        }
                    }
                }
                catch
                {
                    Leave(key, gate);
                    throw;
                }
                turn.Held.Add((key, gate));
            }
            return turn;
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    /// <summary>How many keys have someone holding or waiting for them (what the gates cost in memory).</summary>
    public int Busy
    {
        get { lock (_gates) return _gates.Count; }
    }

    private Gate Join(LockKey key)
    {
        lock (_gates)
        {
            if (!_gates.TryGetValue(key, out var gate)) _gates[key] = gate = new Gate();
            gate.Users++;
            return gate;
        }
    }

    /// <summary>Takes the turn if free (null); otherwise the task that completes when it is next handed on.</summary>
    private Task? TryHold(Gate gate)
    {
        lock (_gates)
        {
            if (gate.Held) return gate.Released.Task;
            gate.Held = true;
            return null;
        }
    }

    private void Leave(LockKey key, Gate gate)
    {
        lock (_gates)
            if (--gate.Users == 0) _gates.Remove(key);
    }

    private void Release(LockKey key, Gate gate)
    {
        TaskCompletionSource released;
        lock (_gates)
        {
            gate.Held = false;
            released = gate.Released;
            gate.Released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (--gate.Users == 0) _gates.Remove(key);
        }
        released.SetResult();
    }

    /// <summary>Held turns, handed on (in reverse order) when disposed: after the commit.</summary>
    public sealed class Turn(BookingTurns turns) : IDisposable
    {
        internal readonly List<(LockKey Key, Gate Gate)> Held = [];

        /// <summary>
        /// Hands the turn on once the transaction it queued for commits (a refusal's too), or else when the request ends
        /// (the commit failed).
        /// </summary>
        public void HandOnAfterCommit(Marten.IDocumentSession session, HttpContext http)
        {
            session.Listeners.Add(new OpenCalendly.Host.Api.AfterCommit(Dispose));
            http.Response.RegisterForDispose(this);
        }

        public void Dispose()
        {
            for (var i = Held.Count - 1; i >= 0; i--) turns.Release(Held[i].Key, Held[i].Gate);
            Held.Clear();
        }
    }
}

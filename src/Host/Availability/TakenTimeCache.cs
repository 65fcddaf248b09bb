using System.Collections.Concurrent;
using JasperFx.Events;
using Marten;
using Marten.Services;
using NodaTime;
using Npgsql;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Availability;

/// <summary>
/// Public availability's copy of each person's taken time (reservations and busy windows) over a few weeks
/// around what was asked, so a slot page costs no database round trip while nothing changes. Kept exact by two
/// signals: this node's own commits drop the people they touch before <c>SaveChangesAsync</c> returns (this is
/// a Marten session listener), and every node's commits reach the others through the
/// <see cref="TakenTimeNotifications"/> triggers, which <see cref="TakenTimeListener"/> hears. Nothing is
/// served from here while that listener is not connected. Booking re-checks everything under its locks, so a
/// copy one notification behind can only offer a slot the commit then refuses.
/// </summary>
public sealed class TakenTimeCache(NpgsqlDataSource data, TimeProvider clock, IConfiguration config) : DocumentSessionListenerBase, ITakenTimeSource
{
    /// <summary>How far past the asked range a copy reaches, so later pages of the same weeks hit it too.</summary>
    public static readonly Duration Ahead = Duration.FromDays(35);

    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(config.GetValue("Availability:TakenCacheSeconds", 300.0));
    private readonly ConcurrentDictionary<Guid, Entry> _people = new();
    private long _versions, _generation;
    private volatile bool _listening;

    /// <summary>A person's slot: a fresh version on every change, the copy read since (if any), and the read under way (if any).</summary>
    private sealed record Entry(long Version, Copy? Copy, Load? Load = null);

    private sealed record Copy(Instant From, Instant To, TakenTime Taken, DateTimeOffset ReadAt);

    /// <summary>A read in flight: whoever asks for the same person meanwhile waits for it instead of reading too.</summary>
    private sealed record Load(Instant From, Instant To, Task<TakenTime> Taken);

    /// <summary>Reservations and busy windows of <paramref name="userId"/> overlapping <c>[from, to)</c>.</summary>
    public async Task<TakenTime> OfAsync(Guid userId, Instant from, Instant to, CancellationToken ct)
    {
        if (!_listening || _ttl <= TimeSpan.Zero) return await ReadAsync(userId, from, to, ct);

        var entry = _people.GetOrAdd(userId, _ => new Entry(Interlocked.Increment(ref _versions), null));
        if (entry.Copy is { } copy && copy.From <= from && to <= copy.To && clock.GetUtcNow() - copy.ReadAt < _ttl)
            return copy.Taken.Within(from, to);

        // A read started since the last change serves everyone who asks before the next one (a crowd after a commit
        // costs one read). A change replaces the entry, so whoever asks after it starts a read of their own.
        if (entry.Load is { } load && load.From <= from && to <= load.To) return (await load.Taken.WaitAsync(ct)).Within(from, to);

        var filled = new TaskCompletionSource<TakenTime>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loading = entry with { Load = new Load(from, to + Ahead, filled.Task) };
        if (!_people.TryUpdate(userId, loading, entry)) return await ReadAsync(userId, from, to, ct);
        _ = FillAsync(userId, loading, Interlocked.Read(ref _generation), filled);
        return (await filled.Task.WaitAsync(ct)).Within(from, to);
    }

    /// <summary>
    /// Reads what <paramref name="loading"/> promised (to its end, whoever stops waiting) and keeps it, only if
    /// nothing about this person (or any booking) changed while it was read.
    /// </summary>
    private async Task FillAsync(Guid userId, Entry loading, long generation, TaskCompletionSource<TakenTime> filled)
    {
        var load = loading.Load!;
        try
        {
            var readAt = clock.GetUtcNow();
            var taken = await ReadAsync(userId, load.From, load.To, CancellationToken.None);
            var kept = Interlocked.Read(ref _generation) == generation
                ? loading with { Copy = new Copy(load.From, load.To, taken, readAt), Load = null }
                : loading with { Load = null };
            _people.TryUpdate(userId, kept, loading);
            filled.SetResult(taken);
        }
        catch (Exception e)
        {
            _people.TryUpdate(userId, loading with { Load = null }, loading);
            filled.SetException(e);
        }
    }

    /// <summary>
    /// Forgets one person's copy (a notification named them). Someone without an entry has no copy and no read
    /// in flight (a read makes its entry first), so nothing is added for them.
    /// </summary>
    public void Forget(Guid userId)
    {
        if (_people.ContainsKey(userId)) _people[userId] = new Entry(Interlocked.Increment(ref _versions), null);
    }

    /// <summary>Forgets everything: a truncate, or the notifications may have been missed.</summary>
    public void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _people.Clear();
    }

    /// <summary>Serve copies only while notifications arrive; either way, what was kept may be stale now.</summary>
    public void Listening(bool listening)
    {
        _listening = listening;
        ForgetAll();
    }

    /// <summary>Drops copies not read again within their time to live (called now and then by the listener).</summary>
    public void Sweep()
    {
        var now = clock.GetUtcNow();
        foreach (var (userId, entry) in _people)
            if (entry.Copy is null || now - entry.Copy.ReadAt >= _ttl)
                _people.TryRemove(new KeyValuePair<Guid, Entry>(userId, entry));
    }

    /// <summary>This node's commits: the people they touch are forgotten before the commit's caller goes on.</summary>
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var e in commit.GetEvents())
            switch (e.Data)
            {
                case BookingConfirmed confirmed:
                    foreach (var userId in confirmed.ReservedUserIds) Forget(userId);
                    break;
                case BookingCanceled canceled:
                    ForgetBooking(e.StreamId);
                    Forget(canceled.OrganizerId);   // a seat's time is held under its slot's id, not the booking's
                    break;
                case BookingRescheduled rescheduled:
                    ForgetBooking(e.StreamId);
                    Forget(rescheduled.OrganizerId);
                    break;
                case BusyWindowsSynced synced:
                    Forget(synced.UserId);
                    break;
                case CalendarDisconnected:
                    ForgetAll();
                    break;
            }
        return Task.CompletedTask;
    }

    /// <summary>A booking freed its time: whoever's copy holds it (and no read in flight keeps what it saw).</summary>
    private void ForgetBooking(Guid bookingId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (userId, entry) in _people)
            if (entry.Copy?.Taken.Bookings.Contains(bookingId) == true) Forget(userId);
    }

    private async Task<TakenTime> ReadAsync(Guid userId, Instant from, Instant to, CancellationToken ct)
    {
        await using var connection = await data.OpenConnectionAsync(ct);
        return await Reservations.OfAsync(connection, userId, from, to, ct);
    }
}

using Marten;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Calendars;

/// <summary>
/// Who may call a connection's provider now: one lease per connection, taken and given back in short transactions
/// under the connection's lock, never held in one while the provider answers. Syncs and writebacks of one calendar
/// therefore call one at a time (each plans from what the one before committed, and token refreshes never race),
/// while connect and disconnect only take the lock. A lease outlives a crashed holder by <see cref="Lease"/>.
/// </summary>
public sealed class CalendarCallLease
{
    public Guid Id { get; set; }
    public Guid ClaimId { get; set; }
    public DateTimeOffset Until { get; set; }
}

/// <summary>The connection as it was when the lease was taken; its results count only if it is still that connection.</summary>
public sealed record CalendarClaim(Guid ClaimId, CalendarConnection Connection);

public sealed class CalendarCalls(IDocumentStore store, TimeProvider clock)
{
    /// <summary>Longer than any provider call with a token refresh on the way (each has a 15–30 s timeout).</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    public enum Outcome { Claimed, Busy, NotApplicable }

    /// <summary>
    /// Takes the connection's lease in its own short transaction (committed before the call: a session of its own,
    /// because the caller's commits only after the call). <paramref name="applies"/> is asked under the lock, with the
    /// connection as committed: false leaves everything as it was.
    /// </summary>
    public async Task<(Outcome Outcome, CalendarClaim? Claim)> ClaimAsync(Guid connectionId, Func<CalendarConnection, bool> applies, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(ct);
        await CalendarConnectionLock.TakeAsync(session.Connection!, connectionId, ct);
        var connection = await session.LoadAsync<CalendarConnection>(connectionId, ct);
        if (connection is null || !applies(connection)) return (Outcome.NotApplicable, null);
        var now = clock.GetUtcNow();
        var lease = await session.LoadAsync<CalendarCallLease>(connectionId, ct);
        if (lease is not null && lease.Until > now) return (Outcome.Busy, null);
        var claimId = Guid.NewGuid();
        session.Store(new CalendarCallLease { Id = connectionId, ClaimId = claimId, Until = now + Lease });
        await session.SaveChangesAsync(ct);
        return (Outcome.Claimed, new CalendarClaim(claimId, connection));
    }

    /// <summary>
    /// Gives the lease back in a short transaction of its own: for a holder that failed before it could record its call
    /// (a crash still leaves the lease to run out).
    /// </summary>
    public async Task ReleaseAsync(CalendarClaim claim)
    {
        await using var session = store.LightweightSession();
        await session.BeginTransactionAsync(CancellationToken.None);
        await CalendarConnectionLock.TakeAsync(session.Connection!, claim.Connection.Id, CancellationToken.None);
        if ((await session.LoadAsync<CalendarCallLease>(claim.Connection.Id))?.ClaimId != claim.ClaimId) return;
        session.Delete<CalendarCallLease>(claim.Connection.Id);
        await session.SaveChangesAsync(CancellationToken.None);
    }

    /// <summary>
    /// Opens the caller's transaction under the connection's lock and gives the lease back in it. The connection as
    /// committed now, when the claim still holds and it is the same connection (not disconnected, not reconnected
    /// meanwhile); null when the call's results must be dropped.
    /// </summary>
    public static async Task<CalendarConnection?> RecordAsync(IDocumentSession session, CalendarClaim claim, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await CalendarConnectionLock.TakeAsync(session.Connection!, claim.Connection.Id, ct);
        var lease = await session.LoadAsync<CalendarCallLease>(claim.Connection.Id, ct);
        if (lease?.ClaimId != claim.ClaimId) return null;   // it ran out and someone else holds it: theirs wins
        session.Delete(lease);
        var connection = await session.LoadAsync<CalendarConnection>(claim.Connection.Id, ct);
        return connection is { IsConnected: true } && connection.ConnectedAt == claim.Connection.ConnectedAt ? connection : null;
    }
}

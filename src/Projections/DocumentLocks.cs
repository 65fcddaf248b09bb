using Marten;
using Npgsql;

namespace OpenCalendly.Projections;

/// <summary>
/// Every advisory lock the system takes, in one registry: PostgreSQL's two-key form, the first key naming the kind of
/// thing, the second the thing (its id folded to 32 bits). Configuration documents are read-modified-written under
/// theirs (Marten's optimistic concurrency refuses a writer that skipped the lock, 409); bookings lock the people they
/// reserve and a capped event type; calendar connections and event streams written from several nodes lock theirs.
/// </summary>
public enum LockKind
{
    Schedule = 0x5C4E_0001,
    Team = 0x5C4E_0002,
    OrganizerWebhooks = 0x5C4E_0003,
    WebhookSubscription = 0x5C4E_0004,
    WebhookDelivery = 0x5C4E_0005,
    /// <summary>
    /// An event type whose bookings are counted together (its daily or weekly cap, or a team's round-robin tally): taken
    /// before any person, so what is counted in the transaction still holds at commit.
    /// </summary>
    CountedEventType = 0x5C4E_0006,
    /// <summary>A person a booking reserves (an organizer, or a team member).</summary>
    Person = 0x5C4E_0007,
    /// <summary>A calendar connection's stream: one writer at a time, never across a provider call.</summary>
    CalendarConnection = 0x5C4E_0008,
    /// <summary>An event stream appended to in batches from several nodes (the funnel's day streams).</summary>
    EventStream = 0x5C4E_0009,
    /// <summary>An organizer's API keys, counted against their cap while one is made.</summary>
    OrganizerApiKeys = 0x5C4E_000A,
}

/// <summary>One advisory lock: its kind and the thing's folded id. Ordered by kind, then id, the one order everyone takes several in.</summary>
public readonly record struct LockKey(LockKind Kind, int Id) : IComparable<LockKey>
{
    public static LockKey Of(LockKind kind, Guid id) => new(kind, DocumentLocks.Fold(id));

    public int CompareTo(LockKey other) => Kind != other.Kind ? Kind.CompareTo(other.Kind) : Id.CompareTo(other.Id);
}

public static class DocumentLocks
{
    /// <summary>
    /// Opens the session's transaction now and takes the lock in it; the lock is held until the transaction ends,
    /// so the caller's later <c>SaveChangesAsync</c> (Wolverine's transactional middleware) commits under it.
    /// </summary>
    public static async Task LockAsync(this IDocumentSession session, LockKind kind, Guid id, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await AdvisoryLocks.TakeAsync(session.Connection!, LockKey.Of(kind, id), ct);
    }

    /// <summary>Takes the lock in the connection's open transaction if nobody holds it; false otherwise.</summary>
    public static Task<bool> TryTakeAsync(this NpgsqlConnection connection, LockKind kind, Guid id, CancellationToken ct) =>
        AdvisoryLocks.TryTakeAsync(connection, LockKey.Of(kind, id), ct);

    /// <summary>All sixteen bytes of the id, folded to the lock's 32-bit second key.</summary>
    public static int Fold(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        return BitConverter.ToInt32(bytes[..4]) ^ BitConverter.ToInt32(bytes[4..8]) ^ BitConverter.ToInt32(bytes[8..12]) ^ BitConverter.ToInt32(bytes[12..]);
    }
}

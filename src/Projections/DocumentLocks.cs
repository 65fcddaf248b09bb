using Marten;
using Npgsql;

namespace OpenCalendly.Projections;

/// <summary>
/// What a read-modify-write of a configuration document locks: PostgreSQL's two-key advisory locks, the first key
/// naming the kind of thing, the second the thing (its id folded to 32 bits). Writers of one document queue
/// here for a moment and each sees the last one's change, so none is lost; Marten's optimistic concurrency on the
/// same documents refuses any writer that skipped the lock (409).
/// </summary>
public enum LockKind
{
    Schedule = 0x5C4E_0001,
    Team = 0x5C4E_0002,
    OrganizerWebhooks = 0x5C4E_0003,
    WebhookSubscription = 0x5C4E_0004,
    WebhookDelivery = 0x5C4E_0005,
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
        await using var command = Command("select pg_advisory_xact_lock($1, $2)", session.Connection!, kind, id);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Takes the lock in the connection's open transaction if nobody holds it; false otherwise.</summary>
    public static async Task<bool> TryTakeAsync(this NpgsqlConnection connection, LockKind kind, Guid id, CancellationToken ct)
    {
        await using var command = Command("select pg_try_advisory_xact_lock($1, $2)", connection, kind, id);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, LockKind kind, Guid id) => new(sql, connection)
    {
        Parameters = { new NpgsqlParameter { Value = (int)kind }, new NpgsqlParameter { Value = Fold(id) } },
    };

    /// <summary>All sixteen bytes of the id, folded to the lock's 32-bit second key.</summary>
    public static int Fold(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes);
        return BitConverter.ToInt32(bytes[..4]) ^ BitConverter.ToInt32(bytes[4..8]) ^ BitConverter.ToInt32(bytes[8..12]) ^ BitConverter.ToInt32(bytes[12..]);
    }
}

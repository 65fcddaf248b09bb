using Npgsql;

namespace OpenCalendly.Projections;

/// <summary>PostgreSQL transaction-level advisory locks (the keys: <see cref="LockKey"/>): held until the connection's transaction ends.</summary>
public static class AdvisoryLocks
{
    /// <summary>Waits for the lock on <paramref name="key"/>.</summary>
    public static async Task TakeAsync(NpgsqlConnection connection, LockKey key, CancellationToken ct)
    {
        await using var command = Command("select pg_advisory_xact_lock($1, $2)", connection, key);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Takes the lock on <paramref name="key"/> if nobody holds it; false otherwise.</summary>
    public static async Task<bool> TryTakeAsync(NpgsqlConnection connection, LockKey key, CancellationToken ct)
    {
        await using var command = Command("select pg_try_advisory_xact_lock($1, $2)", connection, key);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The statement that waits for <paramref name="key"/>, for a batch that takes several (in <see cref="LockKey"/> order).</summary>
    public static NpgsqlBatchCommand Take(LockKey key) => new("select pg_advisory_xact_lock($1, $2)")
    {
        Parameters = { new NpgsqlParameter { Value = (int)key.Kind }, new NpgsqlParameter { Value = key.Id } },
    };

    private static NpgsqlCommand Command(string sql, NpgsqlConnection connection, LockKey key) => new(sql, connection)
    {
        Parameters = { new NpgsqlParameter { Value = (int)key.Kind }, new NpgsqlParameter { Value = key.Id } },
    };

    /// <summary>
    /// Takes the lock on <paramref name="key"/>, polling while someone else holds it, unless
    /// <paramref name="giveUp"/> says, between attempts, that waiting is pointless; false then.
    /// </summary>
    public static async Task<bool> TakeUnlessAsync(NpgsqlConnection connection, LockKey key, Func<Task<bool>> giveUp, CancellationToken ct)
    {
        while (!await TryTakeAsync(connection, key, ct))
        {
            if (await giveUp()) return false;
            await Task.Delay(PollInterval, ct);
        }
        return true;
    }

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
}

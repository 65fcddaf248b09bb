using Npgsql;

namespace OpenCalendly.Projections;

/// <summary>PostgreSQL transaction-level advisory locks: held until the connection's transaction ends.</summary>
public static class AdvisoryLocks
{
    /// <summary>Waits for the lock on <paramref name="key"/>.</summary>
    public static async Task TakeAsync(NpgsqlConnection connection, long key, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_advisory_xact_lock($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Takes the lock on <paramref name="key"/> if nobody holds it; false otherwise.</summary>
    public static async Task<bool> TryTakeAsync(NpgsqlConnection connection, long key, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("select pg_try_advisory_xact_lock($1)", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Takes the lock on <paramref name="key"/>, polling while someone else holds it, unless
    /// <paramref name="giveUp"/> says, between attempts, that waiting is pointless; false then.
    /// </summary>
    public static async Task<bool> TakeUnlessAsync(NpgsqlConnection connection, long key, Func<Task<bool>> giveUp, CancellationToken ct)
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

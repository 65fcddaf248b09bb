using Npgsql;

namespace OpenCalendly.Host.Bookings;

/// <summary>
/// Forgets idempotency keys <c>Idempotency:RetentionDays</c> (7) after they were claimed: a retry that late is a new
/// request, and the sealed answers (which carry action tokens) leave the database. Runs every
/// <c>Idempotency:PruneMinutes</c> (60) from start, deleting in batches so no statement holds many rows at once. Every node
/// may run it; deleting the same rows twice is harmless.
/// </summary>
public sealed partial class IdempotencyRetention(NpgsqlDataSource data, TimeProvider clock, IConfiguration config, ILogger<IdempotencyRetention> log)
    : BackgroundService
{
    private const int Batch = 5000;

    private TimeSpan Retention => TimeSpan.FromDays(config.GetValue("Idempotency:RetentionDays", 7.0));

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var every = TimeSpan.FromMinutes(config.GetValue("Idempotency:PruneMinutes", 60.0));
        if (every <= TimeSpan.Zero || Retention <= TimeSpan.Zero) return;
        try
        {
            while (true)
            {
                await Task.Delay(every, clock, stop);
                try
                {
                    var pruned = await PruneAsync(clock.GetUtcNow() - Retention, stop);
                    if (pruned > 0) Pruned(log, pruned);
                }
                catch (NpgsqlException e)
                {
                    PruneFailed(log, e);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes the keys claimed before <paramref name="claimedBefore"/>; how many.</summary>
    public async Task<long> PruneAsync(DateTimeOffset claimedBefore, CancellationToken ct)
    {
        var table = Idempotency.Table.QualifiedName;
        long total = 0;
        while (true)
        {
            await using var command = data.CreateCommand(
                $"delete from {table} where id in (select id from {table} where claimed_at < $1 limit {Batch})");
            command.Parameters.Add(new NpgsqlParameter { Value = claimedBefore.ToUniversalTime() });
            var deleted = await command.ExecuteNonQueryAsync(ct);
            total += deleted;
            if (deleted < Batch) return total;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Forgot {Count} idempotency keys past their retention")]
    private static partial void Pruned(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning idempotency keys failed; trying again at the next round")]
    private static partial void PruneFailed(ILogger logger, Exception e);
}

using Npgsql;

namespace OpenCalendly.Host.Bookings;

/// <summary>
/// Forgets idempotency keys <c>Idempotency:RetentionDays</c> (7) after they were claimed, and refusals after
/// <c>Idempotency:RefusalRetentionHours</c> (24): a retry that late is a new request, and the sealed answers (which
/// carry action tokens) leave the database. Runs every
/// <c>Idempotency:PruneMinutes</c> (60) from start (<see cref="Idempotency.PruneAsync"/>). Every node
/// may run it; deleting the same rows twice is harmless.
/// </summary>
public sealed partial class IdempotencyRetention(Idempotency idempotency, TimeProvider clock, IConfiguration config, ILogger<IdempotencyRetention> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var retention = TimeSpan.FromDays(config.GetValue("Idempotency:RetentionDays", 7.0));
        var refusals = TimeSpan.FromHours(config.GetValue("Idempotency:RefusalRetentionHours", 24.0));
        var every = TimeSpan.FromMinutes(config.GetValue("Idempotency:PruneMinutes", 60.0));
        if (every <= TimeSpan.Zero || retention <= TimeSpan.Zero) return;
        try
        {
            while (true)
            {
                await Task.Delay(every, clock, stop);
                try
                {
                    var now = clock.GetUtcNow();
                    var pruned = await idempotency.PruneAsync(now - retention, stop, now - TimeSpan.FromTicks(Math.Min(refusals.Ticks, retention.Ticks)));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Forgot {Count} idempotency keys past their retention")]
    private static partial void Pruned(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning idempotency keys failed; trying again at the next round")]
    private static partial void PruneFailed(ILogger logger, Exception e);
}

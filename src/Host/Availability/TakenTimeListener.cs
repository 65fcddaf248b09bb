using OpenCalendly.Host.Api;
using Npgsql;
using OpenCalendly.Projections.Bookings;

namespace OpenCalendly.Host.Availability;

/// <summary>
/// Holds one connection that <c>LISTEN</c>s for <see cref="TakenTimeNotifications"/> and tells the
/// <see cref="TakenTimeCache"/> whose taken time changed. While it is not connected the cache serves nothing;
/// it reconnects every few seconds.
/// </summary>
public sealed class TakenTimeListener(DirectDatabase direct, TakenTimeCache cache, ILogger<TakenTimeListener> log) : BackgroundService
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(30), Retry = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await direct.DataSource.OpenConnectionAsync(stop);
                connection.Notification += (_, n) =>
                {
                    if (Guid.TryParse(n.Payload, out var userId)) cache.Forget(userId);
                    else cache.ForgetAll();
                };
                await using (var listen = new NpgsqlCommand($"listen {TakenTimeNotifications.Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stop);
                cache.Listening(true);
                var swept = TimeProvider.System.GetTimestamp();
                while (true)
                {
                    // Quiet for a while: prove the connection still works.
                    if (!await connection.WaitAsync(Idle, stop))
                        await using (var ping = new NpgsqlCommand("select 1", connection)) await ping.ExecuteScalarAsync(stop);
                    if (TimeProvider.System.GetElapsedTime(swept) < Idle) continue;
                    cache.Sweep();
                    swept = TimeProvider.System.GetTimestamp();
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                log.LogWarning(e, "Listening for taken-time changes failed; availability reads the database until it reconnects.");
            }
            finally
            {
                cache.Listening(false);
            }
            try { await Task.Delay(Retry, stop); } catch (OperationCanceledException) { break; }
        }
    }
}

using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Projections.Calendars;

/// <summary>
/// Keeps <c>busy_windows</c> in the events' transaction: a sync replaces what was known about its window
/// (and drops windows long past), a disconnect removes the connection's rows.
/// </summary>
public sealed class BusyWindowProjection : EventProjection
{
    private readonly string _table;

    public BusyWindowProjection(BusyWindowTable table)
    {
        _table = table.QualifiedName;
        Name = "BusyWindows";
        Options.DeleteDataInTableOnTeardown(table.QualifiedName);
        IncludeType<BusyWindowsSynced>();
        IncludeType<CalendarDisconnected>();
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        switch (e.Data)
        {
            case BusyWindowsSynced synced:
                var (start, end) = (synced.WindowStart.ToUniversalTime(), synced.WindowEnd.ToUniversalTime());
                operations.QueueSqlCommand(
                    $"delete from {_table} where connection_id = ? and (during && tstzrange(?, ?, '[)') or upper(during) < ?)",
                    synced.ConnectionId, start, end, start.AddDays(-1));
                if (synced.Busy.Count > 0)
                    operations.QueueSqlCommand(
                        $"insert into {_table} (connection_id, user_id, during) " +
                        "select ?, ?, tstzrange(s, f, '[)') from unnest(?::timestamptz[], ?::timestamptz[]) as w(s, f)",
                        synced.ConnectionId, synced.UserId,
                        synced.Busy.Select(b => b.StartsAt.ToUniversalTime()).ToArray(),
                        synced.Busy.Select(b => b.EndsAt.ToUniversalTime()).ToArray());
                break;
            case CalendarDisconnected disconnected:
                operations.QueueSqlCommand($"delete from {_table} where connection_id = ?", disconnected.ConnectionId);
                break;
        }
        return ValueTask.CompletedTask;
    }
}

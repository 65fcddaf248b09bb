using Marten;
using OpenCalendly.Projections;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Scheduling.Calendars;
using Wolverine;

namespace OpenCalendly.Host.Calendars;

/// <summary>Sync connection <c>ConnectionId</c> if its next sync is still the one due at <c>Due</c>.</summary>
public sealed record SyncCalendar(Guid ConnectionId, DateTimeOffset Due);

public sealed record SyncResult(
    bool Succeeded, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int BusyWindowCount, bool RefreshedAccessToken,
    DateTimeOffset? LastSyncedAt, DateTimeOffset? NextSyncAt, string? Error);

/// <summary>
/// Pulls a connection's free/busy into its busy windows (through the events, so the projection replaces
/// the rows in the same transaction) and schedules the next sync as a durable message. A failure is
/// recorded on the connection, and a refused refresh token stops the schedule until the organizer reconnects.
/// </summary>
public sealed class CalendarSync(CalendarAccess access, CalendarSettings settings, TimeProvider clock)
{
    public async Task<SyncResult> RunAsync(
        IDocumentSession session, IMessageContext messages, Guid connectionId, (DateTimeOffset Start, DateTimeOffset End)? window, CancellationToken ct)
    {
        // One sync of a connection at a time, so two never interleave their replacement of its rows.
        await session.BeginTransactionAsync(ct);
        await AdvisoryLocks.TakeAsync(session.Connection!, BitConverter.ToInt64(connectionId.ToByteArray(), 0) ^ 0x5C_A1E0, ct);
        var connection = await session.LoadAsync<CalendarConnection>(connectionId, ct)
            ?? throw new InvalidOperationException($"Calendar connection {connectionId} does not exist.");

        var now = clock.GetUtcNow();
        var (start, end) = window ?? SyncWindow.Resolve(null, null, now)!.Value;
        var refreshed = false;
        try
        {
            var account = new ProviderAccount(connection.ExternalAccountId ?? "", connection.ExternalEmail);
            var busy = await access.WithTokenAsync(session, connection, (provider, token) => provider.BusyAsync(token, account, start, end, ct), () => refreshed = true, ct);
            var next = now + settings.SyncInterval;
            var synced = new BusyWindowsSynced(connection.Id, connection.UserId, start, end, SyncWindow.Clip(busy, start, end), now, next);
            session.Events.Append(connection.Id, synced);
            await messages.ScheduleAsync(new SyncCalendar(connection.Id, next), next);
            return new SyncResult(true, start, end, synced.Busy.Count, refreshed, now, next, null);
        }
        catch (CalendarProviderException e)
        {
            var needsReconnect = e.Failure == ProviderFailure.GrantRevoked;
            DateTimeOffset? next = needsReconnect ? null : now + settings.SyncInterval;
            session.Events.Append(connection.Id, new CalendarSyncFailed(connection.Id, e.Message, needsReconnect, now, next));
            if (next is { } due) await messages.ScheduleAsync(new SyncCalendar(connection.Id, due), due);
            return new SyncResult(false, start, end, 0, refreshed, connection.LastSyncedAt, next, e.Message);
        }
    }
}

/// <summary>The scheduled re-sync: runs only when it is still the sync the connection expects.</summary>
public static class SyncCalendarHandler
{
    public static async Task Handle(SyncCalendar message, IDocumentSession session, IMessageContext messages, CalendarSync sync, CancellationToken ct)
    {
        var connection = await session.LoadAsync<CalendarConnection>(message.ConnectionId, ct);
        // Disconnected, waiting for a reconnect, or superseded by a later sync that scheduled its own follow-up.
        if (connection is not { IsConnected: true, NeedsReconnect: false, NextSyncAt: { } next } || (next - message.Due).Duration() > TimeSpan.FromSeconds(1))
            return;
        await sync.RunAsync(session, messages, message.ConnectionId, null, ct);
        await session.SaveChangesAsync(ct);
    }
}

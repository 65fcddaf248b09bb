using Marten;
using Npgsql;
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
/// One writer of a calendar connection's stream at a time: connecting, syncing, writing back and disconnecting each
/// take this lock in their transaction before they read the connection, so none appends to a state another has
/// changed since (a sync that finished after a disconnect brought its busy windows back and showed the calendar
/// connected again). Provider calls run under it, so writes to one calendar queue behind each other.
/// </summary>
public static class CalendarConnectionLock
{
    public static Task TakeAsync(NpgsqlConnection connection, Guid connectionId, CancellationToken ct) =>
        AdvisoryLocks.TakeAsync(connection, BitConverter.ToInt64(connectionId.ToByteArray(), 0) ^ 0x5C_A1E0, ct);
}

/// <summary>
/// Pulls a connection's free/busy into its busy windows (through the events, so the projection replaces
/// the rows in the same transaction) and schedules the next sync as a durable message. A failure is
/// recorded on the connection, and a refused refresh token stops the schedule until the organizer reconnects.
/// </summary>
public sealed class CalendarSync(CalendarAccess access, CalendarSettings settings, TimeProvider clock)
{
    /// <summary>Syncs the connection, unless under its lock it turns out disconnected (or waiting for a reconnect when <paramref name="due"/> is given).</summary>
    /// <param name="due">For a scheduled sync: the sync the connection expected then; null (nothing done) if another has run since.</param>
    public async Task<SyncResult?> RunAsync(
        IDocumentSession session, IMessageContext messages, Guid connectionId, (DateTimeOffset Start, DateTimeOffset End)? window,
        CancellationToken ct, DateTimeOffset? due = null)
    {
        await session.BeginTransactionAsync(ct);
        await CalendarConnectionLock.TakeAsync(session.Connection!, connectionId, ct);
        var connection = await session.LoadAsync<CalendarConnection>(connectionId, ct);
        if (connection is not { IsConnected: true }) return null;
        // A scheduled sync stands down if the connection waits for a reconnect, or a later sync scheduled its own follow-up.
        if (due is { } expected && (connection.NeedsReconnect || connection.NextSyncAt is not { } scheduled || (scheduled - expected).Duration() > TimeSpan.FromSeconds(1)))
            return null;

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
            if (next is { } at) await messages.ScheduleAsync(new SyncCalendar(connection.Id, at), at);
            return new SyncResult(false, start, end, 0, refreshed, connection.LastSyncedAt, next, e.Message);
        }
    }
}

/// <summary>The scheduled re-sync: runs only when it is still the sync the connection expects (checked under the connection's lock).</summary>
public static class SyncCalendarHandler
{
    public static async Task Handle(SyncCalendar message, IDocumentSession session, IMessageContext messages, CalendarSync sync, CancellationToken ct)
    {
        if (await sync.RunAsync(session, messages, message.ConnectionId, null, ct, due: message.Due) is not null)
            await session.SaveChangesAsync(ct);
    }
}

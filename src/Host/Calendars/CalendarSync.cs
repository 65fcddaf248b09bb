using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using Marten;
using JasperFx.Events;
using Npgsql;
using OpenCalendly.Projections;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Scheduling.Calendars;
using Wolverine;

namespace OpenCalendly.Host.Calendars;

/// <summary>Sync connection <c>ConnectionId</c> if its next sync is still the one due at <c>Due</c>.</summary>
public sealed record SyncCalendar(Guid ConnectionId, DateTimeOffset Due);

/// <param name="Unchanged">The calendars' change markers said nothing changed since the last read, so their events were not read again.</param>
public sealed record SyncResult(
    bool Succeeded, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, int BusyWindowCount, bool RefreshedAccessToken,
    DateTimeOffset? LastSyncedAt, DateTimeOffset? NextSyncAt, string? Error, bool Unchanged = false)
{
    /// <summary>Another sync or writeback of this calendar is at the provider right now.</summary>
    public static readonly SyncResult Busy = new(false, default, default, 0, false, null, null, "Another call to this calendar is under way: retry shortly.");

    public bool IsBusy => ReferenceEquals(this, Busy);
}

/// <summary>
/// One writer of a calendar connection's stream at a time: connecting, disconnecting, and the short transactions that
/// take and give back a provider call's lease (<see cref="CalendarCalls"/>) each take this lock before they read the
/// connection, so none appends to a state another has changed since. No provider call runs under it.
/// </summary>
public static class CalendarConnectionLock
{
    public static Task TakeAsync(NpgsqlConnection connection, Guid connectionId, CancellationToken ct) =>
        AdvisoryLocks.TakeAsync(connection, LockKey.Of(LockKind.CalendarConnection, connectionId), ct);

    /// <summary>
    /// The connection's stream, read for appending under its lock in the session's transaction (begun here if it is not
    /// yet): no other change of the connection interleaves until that transaction ends. Its aggregate is null when new.
    /// </summary>
    public static async Task<IEventStream<CalendarConnection>> FetchLockedAsync(IDocumentSession session, Guid connectionId, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await TakeAsync(session.Connection!, connectionId, ct);
        return await session.Events.FetchForWriting<CalendarConnection>(connectionId, ct);
    }
}

/// <summary>
/// Pulls a connection's free/busy into its busy windows (through the events, so the projection replaces
/// the rows in the same transaction) and schedules the next sync as a durable message. A failure is
/// recorded on the connection, and a refused refresh token stops the schedule until the organizer reconnects.
/// </summary>
public sealed class CalendarSync(ConnectedCalendars calendars, CalendarCalls calls, CalendarSettings settings, TimeProvider clock)
{
    /// <summary>
    /// Syncs the connection: takes its call lease, asks the provider with nothing open, then records the busy windows
    /// (or the failure) in <paramref name="session"/>'s transaction, which the caller commits. Null when the connection
    /// is not connected (or, for a scheduled sync, waits for a reconnect or another sync has scheduled its own
    /// follow-up), and when it was disconnected or reconnected during the call (its result is dropped then).
    /// </summary>
    /// <param name="due">For a scheduled sync: the sync the connection expected then.</param>
    public async Task<SyncResult?> RunAsync(
        IDocumentSession session, IMessageContext messages, Guid connectionId, (DateTimeOffset Start, DateTimeOffset End)? window,
        CancellationToken ct, DateTimeOffset? due = null)
    {
        var (outcome, claim) = await calls.ClaimAsync(connectionId, connection => ScheduledSync.ShouldRun(connection, due), ct);
        if (outcome == CalendarCalls.Outcome.NotApplicable) return null;
        if (outcome == CalendarCalls.Outcome.Busy) return SyncResult.Busy;
        var connection = claim!.Connection;

        var now = clock.GetUtcNow();
        var (start, end) = window ?? SyncWindow.Resolve(null, null, now)!.Value;
        var refreshes = new List<CalendarTokensRefreshed>();
        BusyRead? read = null;
        CalendarProviderException? failure = null;
        try
        {
            var ownerZone = connection.Provider == CalendarProvider.CalDav && await session.LoadAsync<User>(connection.UserId, ct) is { } owner
                ? Zones.Find(owner.Timezone)
                : null;
            read = await calendars.Open(connection, refreshes, ownerZone).BusyAsync(start, end, ct);
        }
        catch (CalendarProviderException e)
        {
            failure = e;
        }
        catch
        {
            await calls.ReleaseAsync(claim);   // a failure gives the lease back at once rather than holding the calendar for its term
            throw;
        }

        if (await CalendarCalls.RecordAsync(session, claim, ct) is null) return null;
        foreach (var refreshed in refreshes) session.Events.Append(connectionId, refreshed);
        if (read is not null)
        {
            if (read.Calendars is { } found)
                session.Events.Append(connection.Id, new CalDavCalendarsFound(connection.Id, found.Calendars, found.BusyCalendars, found.WriteCalendar, now));
            var next = now + settings.SyncInterval;
            await messages.ScheduleAsync(new SyncCalendar(connection.Id, next), next);
            if (read.Busy is null)
            {
                session.Events.Append(connection.Id, new BusyWindowsUnchanged(connection.Id, now, next));
                return new SyncResult(true, start, end, connection.BusyWindowCount, refreshes.Count > 0, now, next, null, Unchanged: true);
            }
            var synced = new BusyWindowsSynced(
                connection.Id, connection.UserId, read.From, read.To, SyncWindow.Clip(read.Busy, read.From, read.To), now, next, read.ChangeMarkers);
            session.Events.Append(connection.Id, synced);
            return new SyncResult(true, start, end, synced.Busy.Count, refreshes.Count > 0, now, next, null);
        }
        var needsReconnect = failure!.Failure == ProviderFailure.GrantRevoked;
        var nextTry = ScheduledSync.NextTryAfterFailure(needsReconnect, now, settings.SyncInterval);
        session.Events.Append(connection.Id, new CalendarSyncFailed(connection.Id, failure.Message, needsReconnect, now, nextTry));
        if (nextTry is { } at) await messages.ScheduleAsync(new SyncCalendar(connection.Id, at), at);
        return new SyncResult(false, start, end, 0, refreshes.Count > 0, connection.LastSyncedAt, nextTry, failure.Message);
    }
}

/// <summary>
/// The scheduled re-sync: runs only when it is still the sync the connection expects; while another call to the
/// calendar is under way it looks again shortly. Wolverine's middleware commits the session.
/// </summary>
public static class SyncCalendarHandler
{
    public static async Task Handle(SyncCalendar message, IDocumentSession session, IMessageContext messages, CalendarSync sync, CancellationToken ct)
    {
        if (await sync.RunAsync(session, messages, message.ConnectionId, null, ct, due: message.Due) is { IsBusy: true })
            await messages.ScheduleAsync(message, Backoff.Soon());
    }
}

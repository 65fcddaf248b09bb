namespace OpenCalendly.Scheduling.Calendars;

/// <summary>When a calendar's busy time is pulled: each sync schedules the next, and a scheduled one that is no longer expected stands down.</summary>
public static class ScheduledSync
{
    /// <summary>How far a scheduled sync's time may drift from what the connection recorded and still be the same sync.</summary>
    public static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Whether a sync runs: the connection must be connected, and a scheduled sync (<paramref name="due"/>) must still
    /// be the one the connection expects — none while it waits for a reconnect, and none once a later sync (a manual
    /// one, say) scheduled its own follow-up, so the schedule never doubles.
    /// </summary>
    public static bool ShouldRun(CalendarConnection connection, DateTimeOffset? due) =>
        connection.IsConnected
        && (due is not { } expected
            || !connection.NeedsReconnect && connection.NextSyncAt is { } scheduled && (scheduled - expected).Duration() <= Tolerance);

    /// <summary>After a failed sync: a revoked grant waits for the organizer to reconnect (no next try); anything else tries again after <paramref name="interval"/>.</summary>
    public static DateTimeOffset? NextTryAfterFailure(bool grantRevoked, DateTimeOffset now, TimeSpan interval) =>
        grantRevoked ? null : now + interval;
}

/// <summary>
/// Skipping a CalDAV read when nothing changed: a server's <c>getctag</c> (or RFC 6578 <c>sync-token</c>) changes with
/// every change in its calendar, so a sync that finds every busy calendar's marker as the last read saw it, for a window
/// inside the one that read covered, keeps the busy windows it has. Reads cover a day more than asked, so the window
/// that moves with the clock stays inside for a day of syncs.
/// </summary>
public static class ChangeMarkers
{
    public static readonly TimeSpan ReadAhead = TimeSpan.FromDays(1);

    /// <param name="markers">Each busy calendar's marker now (null when the server gives none: then it is always read).</param>
    public static bool Unchanged(CalendarConnection connection, IReadOnlyDictionary<string, string?> markers, DateTimeOffset from, DateTimeOffset to) =>
        markers.Count > 0
        && connection.SyncedFrom <= from && connection.SyncedTo >= to
        && markers.Count == connection.ChangeMarkers.Count
        && markers.All(m => m.Value is not null && connection.ChangeMarkers.TryGetValue(m.Key, out var seen) && seen == m.Value);
}

namespace OpenCalendly.Scheduling.Calendars;

/// <summary>
/// One organizer's account at one provider: a stream per (user, provider), so connecting twice, racing
/// or not, always lands on the same connection. Stored inline as the view the status routes read.
/// </summary>
public sealed class CalendarConnection
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public CalendarProvider Provider { get; set; }
    public bool IsConnected { get; set; }
    public string? ExternalAccountId { get; set; }
    public string? ExternalEmail { get; set; }
    public SealedTokens? Tokens { get; set; }
    public DateTimeOffset? ConnectedAt { get; set; }
    public DateTimeOffset? LastSyncedAt { get; set; }
    public DateTimeOffset? NextSyncAt { get; set; }
    public int BusyWindowCount { get; set; }
    public string? LastError { get; set; }
    public bool NeedsReconnect { get; set; }

    /// <summary>A CalDAV account's server and chosen calendars.</summary>
    public CalDavSettings? CalDav { get; set; }

    /// <summary>The window the last sync that read the events covered, and the change markers it read (CalDAV).</summary>
    public DateTimeOffset? SyncedFrom { get; set; }
    public DateTimeOffset? SyncedTo { get; set; }
    public Dictionary<string, string> ChangeMarkers { get; set; } = [];

    /// <summary>The provider event of each booking chain written to this calendar (chain UID → provider event id).</summary>
    public Dictionary<string, string> ExternalEvents { get; set; } = [];

    /// <summary>The version (a CalDAV ETag) of each provider event as last written, by chain UID.</summary>
    public Dictionary<string, string> ExternalEventVersions { get; set; } = [];

    /// <summary>The stream id of a user's connection to a provider: derived, never random.</summary>
    public static Guid StreamId(Guid userId, CalendarProvider provider) => DerivedIds.From($"calendar-connection:{userId:N}:{provider}");

    /// <summary>
    /// A (re)connection. The provider events already written stay known when the same account comes back,
    /// so bookings made before a reconnect are still moved and deleted.
    /// </summary>
    public static CalendarConnection From(CalendarConnected e, CalendarConnection? before) => new()
    {
        Id = e.ConnectionId,
        UserId = e.UserId,
        Provider = e.Provider,
        IsConnected = true,
        ExternalAccountId = e.ExternalAccountId,
        ExternalEmail = e.ExternalEmail,
        Tokens = e.Tokens,
        ConnectedAt = e.ConnectedAt,
        NextSyncAt = e.ConnectedAt,
        CalDav = e.CalDav,
        ExternalEvents = before?.ExternalAccountId == e.ExternalAccountId ? before.ExternalEvents : [],
        ExternalEventVersions = before?.ExternalAccountId == e.ExternalAccountId ? before.ExternalEventVersions : [],
    };

    /// <summary>Whether new bookings are written to this calendar (a CalDAV account may have no writable calendar).</summary>
    public bool ReceivesBookings => Provider != CalendarProvider.CalDav || CalDav?.WriteCalendar is not null;

    public void When(CalendarTokensRefreshed e) => (Tokens, NeedsReconnect) = (e.Tokens, false);

    public void When(BusyWindowsSynced e)
    {
        (LastSyncedAt, NextSyncAt, BusyWindowCount, LastError) = (e.SyncedAt, e.NextSyncAt, e.Busy.Count, null);
        (SyncedFrom, SyncedTo, ChangeMarkers) = (e.WindowStart, e.WindowEnd, e.ChangeMarkers is null ? [] : new(e.ChangeMarkers));
    }

    public void When(BusyWindowsUnchanged e) => (LastSyncedAt, NextSyncAt, LastError) = (e.SyncedAt, e.NextSyncAt, null);

    /// <summary>Another choice of calendars: the next sync reads them all again.</summary>
    public void When(CalDavCalendarsChosen e)
    {
        if (CalDav is null) return;
        CalDav = CalDav with { BusyCalendars = e.BusyCalendars, WriteCalendar = e.WriteCalendar };
        ChangeMarkers = [];
    }

    /// <summary>The calendars as found at the server; the change markers read for the busy ones still tell what changed.</summary>
    public void When(CalDavCalendarsFound e)
    {
        if (CalDav is null) return;
        CalDav = CalDav with { Calendars = e.Calendars, BusyCalendars = e.BusyCalendars, WriteCalendar = e.WriteCalendar };
    }

    public void When(CalendarSyncFailed e) => (LastError, NeedsReconnect, NextSyncAt) = (e.Error, e.NeedsReconnect, e.NextSyncAt);

    public void When(CalendarDisconnected e)
    {
        (IsConnected, Tokens, NextSyncAt, BusyWindowCount, LastError, NeedsReconnect) = (false, null, null, 0, null, false);
        ChangeMarkers = [];
    }

    public void When(BookingWrittenBack e)
    {
        if (e.ExternalEventId is null) ExternalEvents.Remove(e.ChainUid);
        else ExternalEvents[e.ChainUid] = e.ExternalEventId;
        if (e.ExternalEventId is null || e.ExternalEventVersion is null) ExternalEventVersions.Remove(e.ChainUid);
        else ExternalEventVersions[e.ChainUid] = e.ExternalEventVersion;
    }

    /// <summary>Whether the access token should be refreshed before use (it expires within a minute).</summary>
    public bool AccessTokenStale(DateTimeOffset now) => Tokens is null || Tokens.AccessTokenExpiresAt <= now.AddMinutes(1);
}

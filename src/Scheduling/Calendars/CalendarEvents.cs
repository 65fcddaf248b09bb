namespace OpenCalendly.Scheduling.Calendars;

public enum CalendarProvider { Google, Microsoft, CalDav }

/// <summary>
/// OAuth tokens as stored: each one sealed (encrypted with a key id) before it reaches an event. A CalDAV account's
/// password is its access token here (sealed the same way), with no refresh token and no expiry.
/// </summary>
public sealed record SealedTokens(string AccessToken, string? RefreshToken, DateTimeOffset AccessTokenExpiresAt);

/// <summary>One stretch of time an external calendar reports as busy.</summary>
public sealed record BusyWindow(DateTimeOffset StartsAt, DateTimeOffset EndsAt);

/// <summary>One calendar of a CalDAV account that can hold events.</summary>
/// <param name="TimeZone">Its <c>calendar-timezone</c> (a TZID), in which its all-day and zoneless events are read.</param>
public sealed record CalDavCalendarInfo(string Url, string Name, bool Writable, string? TimeZone);

/// <summary>
/// Where a CalDAV account lives and what of it is used: which calendars block time and which receives bookings
/// (null when none is writable).
/// </summary>
public sealed record CalDavSettings(
    string ServerUrl, string PrincipalUrl, string HomeUrl, string Username, IReadOnlyList<CalDavCalendarInfo> Calendars,
    IReadOnlyList<string> BusyCalendars, string? WriteCalendar)
{
    /// <summary>
    /// The calendars found, chosen as before where they still exist (a reconnect of the same account keeps its choice),
    /// else by default: every calendar blocks time, and the first writable one receives bookings.
    /// </summary>
    public static CalDavSettings Found(
        string serverUrl, string principalUrl, string homeUrl, string username, IReadOnlyList<CalDavCalendarInfo> calendars, CalDavSettings? before = null)
    {
        var urls = calendars.Select(c => c.Url).ToHashSet();
        var writable = calendars.Where(c => c.Writable).Select(c => c.Url).ToHashSet();
        if (before is not null && before.PrincipalUrl == principalUrl)
            return new(serverUrl, principalUrl, homeUrl, username, calendars, [.. before.BusyCalendars.Where(urls.Contains)],
                before.WriteCalendar is { } chosen && writable.Contains(chosen) ? chosen : calendars.FirstOrDefault(c => c.Writable)?.Url);
        return new(serverUrl, principalUrl, homeUrl, username, calendars, [.. calendars.Select(c => c.Url)], calendars.FirstOrDefault(c => c.Writable)?.Url);
    }

    /// <summary>
    /// The account as a sync found it at the server, or null when its calendars are as recorded. A calendar deleted
    /// there leaves the choice (it can block nothing, and bookings go to the first writable one instead); one added
    /// there is listed, blocking time only once the organizer chooses it; a renamed one keeps its place in the choice.
    /// </summary>
    public CalDavSettings? Refreshed(IReadOnlyList<CalDavCalendarInfo> found)
    {
        var now = Found(ServerUrl, PrincipalUrl, HomeUrl, Username, found, this);
        return now.Calendars.SequenceEqual(Calendars) && now.BusyCalendars.SequenceEqual(BusyCalendars) && now.WriteCalendar == WriteCalendar
            ? null : now;
    }
}

/// <summary>
/// An organizer connected (or reconnected) a provider account. Starts the connection afresh: a sync is due at once.
/// </summary>
/// <param name="CalDav">A CalDAV account's server and calendars (null for the OAuth providers).</param>
public sealed record CalendarConnected(
    Guid ConnectionId, Guid UserId, CalendarProvider Provider, string ExternalAccountId, string? ExternalEmail,
    SealedTokens Tokens, DateTimeOffset ConnectedAt, CalDavSettings? CalDav = null);

/// <summary>The organizer chose which of a CalDAV account's calendars block time and which one receives bookings.</summary>
public sealed record CalDavCalendarsChosen(Guid ConnectionId, IReadOnlyList<string> BusyCalendars, string? WriteCalendar, DateTimeOffset ChosenAt);

/// <summary>
/// A sync found the CalDAV account's calendars changed at the server (<see cref="CalDavSettings.Refreshed"/>): these are
/// its calendars now, and what of the organizer's choice still applies.
/// </summary>
public sealed record CalDavCalendarsFound(
    Guid ConnectionId, IReadOnlyList<CalDavCalendarInfo> Calendars, IReadOnlyList<string> BusyCalendars, string? WriteCalendar, DateTimeOffset FoundAt);

/// <summary>The provider issued a fresh access token (and perhaps a new refresh token).</summary>
public sealed record CalendarTokensRefreshed(Guid ConnectionId, SealedTokens Tokens, DateTimeOffset RefreshedAt);

/// <summary>What a deleted account's calendar events keep once masked: no tokens (even sealed) and no account email.</summary>
public static class CalendarErasure
{
    public static readonly SealedTokens NoTokens = new("", null, DateTimeOffset.MinValue);

    public static CalendarConnected Mask(CalendarConnected e) => e with { Tokens = NoTokens, ExternalEmail = null, ExternalAccountId = "", CalDav = null };

    public static CalendarTokensRefreshed Mask(CalendarTokensRefreshed e) => e with { Tokens = NoTokens };

    // CalDAV calendar and event URLs usually hold the account's name.

    public static CalDavCalendarsChosen Mask(CalDavCalendarsChosen e) => e with { BusyCalendars = [], WriteCalendar = null };

    public static CalDavCalendarsFound Mask(CalDavCalendarsFound e) => e with { Calendars = [], BusyCalendars = [], WriteCalendar = null };

    public static BusyWindowsSynced Mask(BusyWindowsSynced e) => e with { ChangeMarkers = null };

    public static BookingWrittenBack Mask(BookingWrittenBack e) => e with { ExternalEventId = e.ExternalEventId is null ? null : "", ExternalEventVersion = null };
}

/// <summary>
/// What the provider said about <c>[WindowStart, WindowEnd)</c>: these windows replace whatever was known
/// about that stretch. The next sync is due at <c>NextSyncAt</c>.
/// </summary>
/// <param name="ChangeMarkers">
/// For CalDAV: each busy calendar's <c>getctag</c> (or <c>sync-token</c>) as read, so a later sync that finds them all
/// unchanged, for a window inside this one, need not read the events again.
/// </param>
public sealed record BusyWindowsSynced(
    Guid ConnectionId, Guid UserId, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, IReadOnlyList<BusyWindow> Busy,
    DateTimeOffset SyncedAt, DateTimeOffset NextSyncAt, IReadOnlyDictionary<string, string>? ChangeMarkers = null);

/// <summary>A sync found nothing changed since the last one (every calendar's change marker as it was): the busy windows stand.</summary>
public sealed record BusyWindowsUnchanged(Guid ConnectionId, DateTimeOffset SyncedAt, DateTimeOffset NextSyncAt);

/// <summary>
/// A sync (or a token refresh) failed. <c>NeedsReconnect</c>: the provider refused the refresh token, so
/// nothing will work until the organizer connects again, and no further sync is scheduled.
/// </summary>
public sealed record CalendarSyncFailed(Guid ConnectionId, string Error, bool NeedsReconnect, DateTimeOffset FailedAt, DateTimeOffset? NextSyncAt);

/// <summary>The organizer disconnected: tokens and busy windows are gone from this event on.</summary>
public sealed record CalendarDisconnected(Guid ConnectionId, DateTimeOffset DisconnectedAt);

public enum WritebackOperation { Create, Update, Cancel }

/// <summary>
/// A booking's provider event was created, moved or deleted. Keyed by the booking's reschedule chain
/// (its calendar UID), so a reschedule moves the one event the chain has. <c>ExternalEventId</c> is null once deleted.
/// </summary>
/// <param name="ExternalEventVersion">The version written (a CalDAV ETag), which the next change must still find there.</param>
public sealed record BookingWrittenBack(
    Guid ConnectionId, Guid BookingId, string ChainUid, WritebackOperation Operation, string? ExternalEventId, DateTimeOffset WrittenAt,
    string? ExternalEventVersion = null);

/// <summary>A writeback gave up after its last attempt.</summary>
public sealed record WritebackFailed(Guid ConnectionId, Guid BookingId, WritebackOperation Operation, string Error, int Attempts, DateTimeOffset FailedAt);

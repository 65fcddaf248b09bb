namespace OpenCalendly.Scheduling.Calendars;

public enum CalendarProvider { Google, Microsoft }

/// <summary>OAuth tokens as stored: each one sealed (encrypted with a key id) before it reaches an event.</summary>
public sealed record SealedTokens(string AccessToken, string? RefreshToken, DateTimeOffset AccessTokenExpiresAt);

/// <summary>One stretch of time an external calendar reports as busy.</summary>
public sealed record BusyWindow(DateTimeOffset StartsAt, DateTimeOffset EndsAt);

/// <summary>
/// An organizer connected (or reconnected) a provider account. Starts the connection afresh: a sync is due at once.
/// </summary>
public sealed record CalendarConnected(
    Guid ConnectionId, Guid UserId, CalendarProvider Provider, string ExternalAccountId, string? ExternalEmail,
    SealedTokens Tokens, DateTimeOffset ConnectedAt);

/// <summary>The provider issued a fresh access token (and perhaps a new refresh token).</summary>
public sealed record CalendarTokensRefreshed(Guid ConnectionId, SealedTokens Tokens, DateTimeOffset RefreshedAt);

/// <summary>What a deleted account's calendar events keep once masked: no tokens (even sealed) and no account email.</summary>
public static class CalendarErasure
{
    public static readonly SealedTokens NoTokens = new("", null, DateTimeOffset.MinValue);

    public static CalendarConnected Mask(CalendarConnected e) => e with { Tokens = NoTokens, ExternalEmail = null, ExternalAccountId = "" };

    public static CalendarTokensRefreshed Mask(CalendarTokensRefreshed e) => e with { Tokens = NoTokens };
}

/// <summary>
/// What the provider said about <c>[WindowStart, WindowEnd)</c>: these windows replace whatever was known
/// about that stretch. The next sync is due at <c>NextSyncAt</c>.
/// </summary>
public sealed record BusyWindowsSynced(
    Guid ConnectionId, Guid UserId, DateTimeOffset WindowStart, DateTimeOffset WindowEnd, IReadOnlyList<BusyWindow> Busy,
    DateTimeOffset SyncedAt, DateTimeOffset NextSyncAt);

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
public sealed record BookingWrittenBack(
    Guid ConnectionId, Guid BookingId, string ChainUid, WritebackOperation Operation, string? ExternalEventId, DateTimeOffset WrittenAt);

/// <summary>A writeback gave up after its last attempt.</summary>
public sealed record WritebackFailed(Guid ConnectionId, Guid BookingId, WritebackOperation Operation, string Error, int Attempts, DateTimeOffset FailedAt);

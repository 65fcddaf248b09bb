using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Integrations.Calendars;

/// <summary>Tokens as a provider issued them (in the clear: seal them before they are stored).</summary>
public sealed record ProviderTokens(string AccessToken, string? RefreshToken, DateTimeOffset ExpiresAt);

/// <summary>Who the connected account is at the provider.</summary>
public sealed record ProviderAccount(string Id, string? Email);

/// <summary>The provider event that mirrors a booking, or a seated slot with all its attendees.</summary>
/// <param name="ChainKey">Stable for the booking's reschedule chain (or the seated slot): the provider's de-duplication key.</param>
/// <param name="AttendeesSeeEachOther">Whether attendees may see the guest list (a seated slot's attendees only when the organizer shows them).</param>
/// <param name="Sequence">The iCalendar <c>SEQUENCE</c>: how many times the chain was rescheduled.</param>
public sealed record CalendarEventSpec(
    string ChainKey, string Title, string Description, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string? Location,
    IReadOnlyList<CalendarAttendee> Attendees, bool AttendeesSeeEachOther = true, int Sequence = 0);

/// <summary>A provider event as written: its id (a CalDAV event's URL) and, where the provider has one, its version (an ETag).</summary>
public sealed record ExternalEvent(string Id, string? Version);

/// <summary>An invitee on a provider event.</summary>
public sealed record CalendarAttendee(string Name, string Email);

public enum ProviderFailure
{
    /// <summary>The provider refused the access token (expired or revoked): refresh and try once more.</summary>
    Unauthorized,

    /// <summary>The provider refused the refresh token (<c>invalid_grant</c>): only a new connection helps.</summary>
    GrantRevoked,

    /// <summary>Anything else: the provider failed, timed out, or answered something we cannot use.</summary>
    Upstream,
}

/// <summary>A provider call that did not work, with a message fit for <c>lastError</c> (never a token).</summary>
public sealed class CalendarProviderException(ProviderFailure failure, string message, int? status = null, Exception? inner = null)
    : Exception(message, inner)
{
    public ProviderFailure Failure { get; } = failure;
    public int? Status { get; } = status;
}

/// <summary>One provider's OAuth and calendar API, behind one shape.</summary>
public interface ICalendarProvider
{
    CalendarProvider Kind { get; }

    /// <summary>Where to send the organizer to grant access, with the PKCE challenge (RFC 7636, S256) of this attempt.</summary>
    Uri AuthorizationUrl(string redirectUri, string state, string codeChallenge);

    /// <summary>The code grant, proving with <paramref name="codeVerifier"/> that it comes from whoever started the attempt.</summary>
    Task<ProviderTokens> ExchangeCodeAsync(string code, string redirectUri, string codeVerifier, CancellationToken ct);

    Task<ProviderTokens> RefreshAsync(string refreshToken, CancellationToken ct);

    Task<ProviderAccount> AccountAsync(string accessToken, CancellationToken ct);

    /// <summary>The account's busy time overlapping <c>[from, to)</c>.</summary>
    Task<IReadOnlyList<BusyWindow>> BusyAsync(string accessToken, ProviderAccount account, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <returns>The provider's event id.</returns>
    Task<string> CreateEventAsync(string accessToken, CalendarEventSpec spec, CancellationToken ct);

    Task UpdateEventAsync(string accessToken, string eventId, CalendarEventSpec spec, CancellationToken ct);

    /// <summary>Deletes the event; one that is already gone counts as deleted.</summary>
    Task DeleteEventAsync(string accessToken, string eventId, CancellationToken ct);
}

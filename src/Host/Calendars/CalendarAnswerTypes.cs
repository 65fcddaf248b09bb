namespace OpenCalendly.Host.Calendars;

// The calendar routes' answers as records, so /openapi/v1.json describes them.

public sealed record CalendarProvidersAnswer(bool Ok, IReadOnlyList<CalendarStatusJson> Providers);

public sealed record WritebackSummaryJson(long Pending, long Succeeded, long Failed);

public sealed record WritebackFailureJson(
    Guid Id, Guid BookingId, string Provider, string Operation, int AttemptCount, int MaxAttempts, DateTimeOffset NextAttemptAt,
    DateTimeOffset? LastAttemptAt, string? LastError, DateTimeOffset UpdatedAt);

public sealed record WritebackStatusAnswer(bool Ok, WritebackSummaryJson Summary, IReadOnlyList<WritebackFailureJson> Failures);

/// <summary>Where to send the organizer to consent: the provider's URL with the state and PKCE challenge.</summary>
public sealed record ConnectStartAnswer(bool Ok, string Provider, string AuthUrl, string State, DateTimeOffset ExpiresAt);

public sealed record CalendarConnectionAnswer(bool Ok, CalendarStatusJson Connection);

public sealed record CalendarDisconnectedAnswer(bool Ok, string Provider, bool Disconnected);

public sealed record SyncWindowJson(DateTimeOffset StartIso, DateTimeOffset EndIso);

/// <param name="Unchanged">Nothing changed in the calendars since the last read (a CalDAV server's change markers said so), so their events were not read again.</param>
public sealed record CalendarSyncAnswer(
    bool Ok, string Provider, SyncWindowJson SyncWindow, int BusyWindowCount, bool RefreshedAccessToken, DateTimeOffset? LastSyncedAt,
    DateTimeOffset? NextSyncAt, bool Unchanged);

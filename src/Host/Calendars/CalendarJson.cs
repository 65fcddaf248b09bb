using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Calendars;

/// <summary>A provider's row in the sync status: present whether or not it is connected.</summary>
public sealed record CalendarStatusJson(
    string Provider, bool Connected, bool Configured, string? ExternalEmail, DateTimeOffset? LastSyncedAt, DateTimeOffset? NextSyncAt,
    string? LastError, bool NeedsReconnect, int BusyWindowCount)
{
    public static CalendarStatusJson Of(CalendarProvider provider, CalendarConnection? connection, bool configured) =>
        connection is { IsConnected: true } c
            ? new(CalendarProviders.Name(provider), true, configured, c.ExternalEmail, c.LastSyncedAt, c.NextSyncAt, c.LastError, c.NeedsReconnect, c.BusyWindowCount)
            : new(CalendarProviders.Name(provider), false, configured, null, null, null, null, false, 0);
}

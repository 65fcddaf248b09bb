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

    /// <summary>Every provider's status, connected or not, from the user's connections (keyed by provider).</summary>
    public static IReadOnlyList<CalendarStatusJson> All(IReadOnlyDictionary<CalendarProvider, CalendarConnection> connections, CalendarProviders providers) =>
        [.. CalendarProviders.All.Select(p => Of(p, connections.GetValueOrDefault(p), providers.Find(p) is not null))];
}

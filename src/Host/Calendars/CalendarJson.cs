using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Calendars;

/// <summary>A provider's row in the sync status: present whether or not it is connected.</summary>
/// <param name="ServerUrl">A CalDAV connection's server.</param>
/// <param name="Calendars">A CalDAV connection's calendars, and which block time and which receives bookings.</param>
public sealed record CalendarStatusJson(
    string Provider, bool Connected, bool Configured, string? ExternalEmail, DateTimeOffset? LastSyncedAt, DateTimeOffset? NextSyncAt,
    string? LastError, bool NeedsReconnect, int BusyWindowCount, string? ServerUrl = null, IReadOnlyList<CalDavCalendarJson>? Calendars = null)
{
    public static CalendarStatusJson Of(CalendarProvider provider, CalendarConnection? connection, bool configured) =>
        connection is { IsConnected: true } c
            ? new(CalendarProviders.Name(provider), true, configured, c.ExternalEmail, c.LastSyncedAt, c.NextSyncAt, c.LastError, c.NeedsReconnect, c.BusyWindowCount,
                c.CalDav?.ServerUrl, c.CalDav is { } dav ? CalDavCalendarJson.Of(dav) : null)
            : new(CalendarProviders.Name(provider), false, configured, null, null, null, null, false, 0);

    /// <summary>Every provider's status, connected or not, from the user's connections (keyed by provider).</summary>
    public static IReadOnlyList<CalendarStatusJson> All(IReadOnlyDictionary<CalendarProvider, CalendarConnection> connections, CalendarProviders providers) =>
        [.. CalendarProviders.All.Select(p => Of(p, connections.GetValueOrDefault(p), providers.IsConfigured(p)))];
}

/// <summary>One calendar of a CalDAV account: <c>Busy</c> when its events block time, <c>ReceivesBookings</c> for the one bookings are written to.</summary>
public sealed record CalDavCalendarJson(string Url, string Name, bool Writable, string? TimeZone, bool Busy, bool ReceivesBookings)
{
    public static IReadOnlyList<CalDavCalendarJson> Of(CalDavSettings settings) =>
        [.. settings.Calendars.Select(c => new CalDavCalendarJson(c.Url, c.Name, c.Writable, c.TimeZone, settings.BusyCalendars.Contains(c.Url), settings.WriteCalendar == c.Url))];
}

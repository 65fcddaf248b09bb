using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Integrations.Secrets;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Calendars;

/// <summary>What a sync read: the busy windows of <c>[From, To)</c>, or null when nothing changed since the last read.</summary>
/// <param name="Busy">The busy windows read, or null when nothing changed since the last read.</param>
/// <param name="Calendars">For CalDAV: the account's calendars, when the server's differ from those recorded.</param>
public sealed record BusyRead(
    IReadOnlyList<BusyWindow>? Busy, DateTimeOffset From, DateTimeOffset To, IReadOnlyDictionary<string, string>? ChangeMarkers = null,
    CalDavSettings? Calendars = null);

/// <summary>One connection's calendar, whatever its provider: what a sync and a writeback ask of it.</summary>
public interface IConnectedCalendar
{
    Task<BusyRead> BusyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    Task<ExternalEvent> CreateAsync(CalendarEventSpec spec, CancellationToken ct);

    /// <summary>Brings the event to <paramref name="spec"/>; one deleted at the provider meanwhile fails with status 404 or 410.</summary>
    Task<ExternalEvent> UpdateAsync(ExternalEvent existing, CalendarEventSpec spec, CancellationToken ct);

    /// <summary>Deletes the event; one that is already gone counts as deleted.</summary>
    Task DeleteAsync(ExternalEvent existing, CancellationToken ct);
}

/// <summary>A Google or Microsoft calendar: each call with a usable access token (<see cref="CalendarAccess.WithTokenAsync{T}"/>).</summary>
internal sealed class OAuthCalendar(CalendarAccess access, CalendarConnection connection, ICollection<CalendarTokensRefreshed> refreshes) : IConnectedCalendar
{
    public async Task<BusyRead> BusyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var account = new ProviderAccount(connection.ExternalAccountId ?? "", connection.ExternalEmail);
        return new(await access.WithTokenAsync(refreshes, connection, (provider, token) => provider.BusyAsync(token, account, from, to, ct), ct), from, to);
    }

    public async Task<ExternalEvent> CreateAsync(CalendarEventSpec spec, CancellationToken ct) =>
        new(await access.WithTokenAsync(refreshes, connection, (provider, token) => provider.CreateEventAsync(token, spec, ct), ct), null);

    public async Task<ExternalEvent> UpdateAsync(ExternalEvent existing, CalendarEventSpec spec, CancellationToken ct) =>
        await access.WithTokenAsync(refreshes, connection, async (provider, token) =>
        {
            await provider.UpdateEventAsync(token, existing.Id, spec, ct);
            return existing;
        }, ct);

    public Task DeleteAsync(ExternalEvent existing, CancellationToken ct) =>
        access.WithTokenAsync(refreshes, connection, async (provider, token) =>
        {
            await provider.DeleteEventAsync(token, existing.Id, ct);
            return true;
        }, ct);
}

/// <summary>
/// A CalDAV account's calendars: busy time from the chosen ones (skipped when their change markers say nothing
/// changed), bookings written to the one chosen to receive them. A refused password needs a new connection (there is
/// nothing to refresh), so a 401 or 403 reads as a revoked grant.
/// </summary>
internal sealed class CalDavCalendars(CalDavClient client, CalDavAccount account, CalendarConnection connection, CalDavSettings settings, DateTimeZone ownerZone)
    : IConnectedCalendar
{
    public async Task<BusyRead> BusyAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken ct) => await Guarded(async () =>
    {
        var current = (await client.CalendarsAsync(account, new Uri(settings.HomeUrl), ct)).Where(c => c.SupportsEvents).ToDictionary(c => c.Url.AbsoluteUri);
        // Calendars deleted or added at the server since are recorded, so the choice and the status show what is there.
        var refreshed = settings.Refreshed([.. current.Values.Select(c => c.Info)]);
        var busy = (refreshed ?? settings).BusyCalendars.Where(current.ContainsKey).Select(url => current[url]).ToList();
        var markers = busy.ToDictionary(c => c.Url.AbsoluteUri, c => c.ChangeMarker);
        if (ChangeMarkers.Unchanged(connection, markers, from, to)) return new BusyRead(null, from, to, Calendars: refreshed);

        var until = to + ChangeMarkers.ReadAhead;
        var windows = new List<BusyWindow>();
        foreach (var calendar in busy)
        {
            var zone = Zones.Find(calendar.TimeZone) ?? ownerZone;
            windows.AddRange(await client.BusyAsync(account, calendar.Url, from, until, zone, ct));
        }
        return new BusyRead(windows, from, until,
            markers.All(m => m.Value is not null) ? markers.ToDictionary(m => m.Key, m => m.Value!) : null, refreshed);
    });

    public Task<ExternalEvent> CreateAsync(CalendarEventSpec spec, CancellationToken ct) => Guarded(async () =>
    {
        if (settings.WriteCalendar is not { } calendar)
            throw new CalendarProviderException(ProviderFailure.Upstream, "No calendar of this CalDAV account is chosen to receive bookings.");
        var (url, etag) = await client.CreateEventAsync(account, new Uri(calendar), spec.ChainKey, spec, spec.Sequence, ct);
        return new ExternalEvent(url.AbsoluteUri, etag);
    });

    /// <summary>
    /// Over the version last written (<c>If-Match</c>). A version changed since in the organizer's calendar app is read and
    /// written over once: the booking's time is the truth, as the other providers' writebacks have it.
    /// </summary>
    public Task<ExternalEvent> UpdateAsync(ExternalEvent existing, CalendarEventSpec spec, CancellationToken ct) => Guarded(async () =>
    {
        var url = new Uri(existing.Id);
        try
        {
            return existing with { Version = await client.UpdateEventAsync(account, url, existing.Version, spec.ChainKey, spec, spec.Sequence, ct) };
        }
        catch (CalendarProviderException e) when (e.Status == 412)
        {
            var current = await client.ETagAsync(account, url, ct);   // fails with 404 when it was deleted: the caller puts it back
            return existing with { Version = await client.UpdateEventAsync(account, url, current, spec.ChainKey, spec, spec.Sequence, ct) };
        }
    });

    public Task DeleteAsync(ExternalEvent existing, CancellationToken ct) => Guarded(async () =>
    {
        await client.DeleteEventAsync(account, new Uri(existing.Id), ct);
        return true;
    });

    private static async Task<T> Guarded<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (CalendarProviderException e) when (e.Failure == ProviderFailure.Unauthorized)
        {
            throw new CalendarProviderException(ProviderFailure.GrantRevoked,
                $"{e.Message} The server no longer accepts this username and password: connect the calendar again (with a new app-specific password).", e.Status, e);
        }
    }
}

/// <summary>Section <c>Calendar:CalDav</c>: whether a CalDAV server may be on a private network (off by default: the SSRF guard).</summary>
public sealed record CalDavOptions(bool AllowPrivateServers, TimeSpan Timeout)
{
    public const string ClientName = "caldav";

    public static CalDavOptions From(IConfiguration config) => new(
        config.GetValue("Calendar:CalDav:AllowPrivateServers", false),
        TimeSpan.FromSeconds(config.GetValue("Calendar:TimeoutSeconds", 15.0)));
}

/// <summary>Opens a connection's calendar for the provider it is at.</summary>
public sealed class ConnectedCalendars(CalendarAccess access, SecretBox secrets, IHttpClientFactory http)
{
    public CalDavClient CalDav() => new(http.CreateClient(CalDavOptions.ClientName));

    /// <param name="refreshes">Receives a <see cref="CalendarTokensRefreshed"/> for each OAuth token refresh on the way.</param>
    /// <param name="ownerZone">The organizer's zone, in which a CalDAV calendar without one reads all-day and zoneless events.</param>
    public IConnectedCalendar Open(CalendarConnection connection, ICollection<CalendarTokensRefreshed> refreshes, DateTimeZone? ownerZone = null)
    {
        if (connection.Provider != CalendarProvider.CalDav) return new OAuthCalendar(access, connection, refreshes);
        if (connection.CalDav is not { } settings || connection.Tokens?.AccessToken is not { Length: > 0 } sealedPassword || secrets.Open(sealedPassword) is not { } password)
            throw new CalendarProviderException(ProviderFailure.GrantRevoked, "The stored CalDAV password cannot be opened with the configured keys: connect the calendar again.");
        return new CalDavCalendars(CalDav(), new CalDavAccount(new Uri(settings.ServerUrl), settings.Username, password), connection, settings, ownerZone ?? DateTimeZone.Utc);
    }
}

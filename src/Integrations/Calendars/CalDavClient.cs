using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Integrations.Calendars;

/// <summary>Where a CalDAV account lives and how to sign in to it (an app-specific password, as iCloud requires).</summary>
public sealed record CalDavAccount(Uri ServerUrl, string Username, string Password);

/// <summary>One calendar of a CalDAV account.</summary>
/// <param name="CTag">The collection's <c>getctag</c>: changes whenever anything in the calendar does.</param>
/// <param name="TimeZone">The TZID of its <c>calendar-timezone</c>, if it names one.</param>
public sealed record CalDavCalendar(Uri Url, string DisplayName, bool SupportsEvents, bool Writable, string? CTag, string? SyncToken, string? TimeZone = null)
{
    /// <summary>What tells whether anything in the calendar changed: the ctag, or else the sync token (RFC 6578).</summary>
    public string? ChangeMarker => CTag ?? SyncToken;

    /// <summary>What a connection records of it.</summary>
    public CalDavCalendarInfo Info => new(Url.AbsoluteUri, DisplayName, Writable, TimeZone);
}

/// <summary>What discovery found: the principal, its calendar home, and the calendars in it.</summary>
public sealed record CalDavDiscovery(Uri Principal, Uri CalendarHome, IReadOnlyList<CalDavCalendar> Calendars);

/// <summary>
/// CalDAV (RFC 4791) over <see cref="HttpClient"/>: writing a booking's event (<c>PUT</c> with <c>If-None-Match</c> or
/// <c>If-Match</c>, <c>DELETE</c>), discovery (RFC 6764's <c>/.well-known/caldav</c>, then
/// <c>current-user-principal</c> and <c>calendar-home-set</c>), the calendars of the home, and busy time from a
/// <c>calendar-query</c> REPORT with a time-range filter. Recurrences are expanded here with Ical.Net rather than by
/// the server (servers differ in what <c>expand</c> they support); transparent and cancelled events do not block.
/// No package on our registry speaks CalDAV; the iCalendar in it is Ical.Net's.
/// </summary>
public sealed class CalDavClient(HttpClient http)
{
    private static readonly XNamespace Dav = "DAV:", CalDav = "urn:ietf:params:xml:ns:caldav", CalServer = "http://calendarserver.org/ns/";

    public async Task<CalDavDiscovery> DiscoverAsync(CalDavAccount account, CancellationToken ct)
    {
        var start = await WellKnownAsync(account, ct);
        var principal = await HrefAsync(account, start, Dav + "current-user-principal", ct)
            ?? throw Failure(ProviderFailure.Upstream, "The server named no current-user-principal: is this a CalDAV server?");
        var home = await HrefAsync(account, principal, CalDav + "calendar-home-set", ct)
            ?? throw Failure(ProviderFailure.Upstream, "The server named no calendar-home-set for this account.");
        return new CalDavDiscovery(principal, home, await CalendarsAsync(account, home, ct));
    }

    /// <summary>RFC 6764: <c>/.well-known/caldav</c> redirects to the context path; a server without it is asked at the URL given.</summary>
    private async Task<Uri> WellKnownAsync(CalDavAccount account, CancellationToken ct)
    {
        using var request = Request(account, new HttpMethod("PROPFIND"), new Uri(account.ServerUrl, "/.well-known/caldav"), 0, Propfind(Dav + "current-user-principal"));
        using var response = await SendAsync(request, ct);
        return response.StatusCode is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect
            && response.Headers.Location is { } location
            ? new Uri(new Uri(account.ServerUrl, "/.well-known/caldav"), location)
            : account.ServerUrl;
    }

    private async Task<Uri?> HrefAsync(CalDavAccount account, Uri url, XName property, CancellationToken ct)
    {
        var answer = await PropfindAsync(account, url, 0, Propfind(property), ct);
        var href = answer.Descendants(property).Elements(Dav + "href").FirstOrDefault()?.Value.Trim();
        return string.IsNullOrEmpty(href) ? null : new Uri(url, href);
    }

    public async Task<IReadOnlyList<CalDavCalendar>> CalendarsAsync(CalDavAccount account, Uri home, CancellationToken ct)
    {
        var answer = await PropfindAsync(account, home, 1, Propfind(Dav + "resourcetype", Dav + "displayname", CalServer + "getctag", Dav + "sync-token",
            CalDav + "supported-calendar-component-set", Dav + "current-user-privilege-set", CalDav + "calendar-timezone"), ct);
        var calendars = new List<CalDavCalendar>();
        foreach (var response in answer.Elements(Dav + "response"))
        {
            var props = response.Elements(Dav + "propstat")
                .Where(p => (p.Element(Dav + "status")?.Value ?? "").Contains(" 200 ", StringComparison.Ordinal))
                .SelectMany(p => p.Elements(Dav + "prop").Elements()).ToList();
            if (!props.Any(p => p.Name == Dav + "resourcetype" && p.Element(CalDav + "calendar") is not null)) continue;
            var components = props.FirstOrDefault(p => p.Name == CalDav + "supported-calendar-component-set")?.Elements(CalDav + "comp")
                .Select(c => (string?)c.Attribute("name")).ToList();
            var privileges = props.FirstOrDefault(p => p.Name == Dav + "current-user-privilege-set")?.Descendants(Dav + "privilege")
                .SelectMany(p => p.Elements()).Select(e => e.Name).ToList();
            var url = new Uri(home, response.Element(Dav + "href")!.Value.Trim());
            calendars.Add(new CalDavCalendar(url,
                props.FirstOrDefault(p => p.Name == Dav + "displayname")?.Value is { Length: > 0 } name ? name : url.Segments[^1].TrimEnd('/'),
                components is null || components.Contains("VEVENT"),
                privileges is null || privileges.Contains(Dav + "write") || privileges.Contains(Dav + "write-content") || privileges.Contains(Dav + "all"),
                props.FirstOrDefault(p => p.Name == CalServer + "getctag")?.Value, props.FirstOrDefault(p => p.Name == Dav + "sync-token")?.Value,
                ZoneOf(props.FirstOrDefault(p => p.Name == CalDav + "calendar-timezone")?.Value)));
        }
        return calendars;
    }

    /// <summary>The TZID of a <c>calendar-timezone</c> (a VCALENDAR with one VTIMEZONE); null when absent or unreadable.</summary>
    private static string? ZoneOf(string? calendarTimezone)
    {
        if (string.IsNullOrWhiteSpace(calendarTimezone)) return null;
        try
        {
            return Calendar.Load(calendarTimezone)?.TimeZones.FirstOrDefault()?.TzId;
        }
        catch (Exception)
        {
            return null;   // Ical.Net throws several kinds on text it cannot read; the owner's zone stands in
        }
    }

    /// <summary>
    /// The calendar's busy time overlapping <c>[from, to)</c>: every blocking occurrence, recurrences expanded. Floating
    /// times (all-day dates, and times without a zone) are read in <paramref name="floatingZone"/>, the calendar's or
    /// its owner's zone.
    /// </summary>
    public async Task<IReadOnlyList<BusyWindow>> BusyAsync(
        CalDavAccount account, Uri calendar, DateTimeOffset from, DateTimeOffset to, NodaTime.DateTimeZone floatingZone, CancellationToken ct)
    {
        // A floating day may start up to 14 hours either side of the same UTC day: the server is asked that much wider.
        var range = new XElement(CalDav + "time-range", new XAttribute("start", Stamp(from.AddHours(-14))), new XAttribute("end", Stamp(to.AddHours(14))));
        var query = new XDocument(new XElement(CalDav + "calendar-query", new XAttribute(XNamespace.Xmlns + "d", Dav), new XAttribute(XNamespace.Xmlns + "c", CalDav),
            new XElement(Dav + "prop", new XElement(Dav + "getetag"), new XElement(CalDav + "calendar-data")),
            new XElement(CalDav + "filter", new XElement(CalDav + "comp-filter", new XAttribute("name", "VCALENDAR"),
                new XElement(CalDav + "comp-filter", new XAttribute("name", "VEVENT"), range)))));
        using var request = Request(account, new HttpMethod("REPORT"), calendar, 1, query);
        var answer = await MultistatusAsync(request, ct);
        var busy = new List<BusyWindow>();
        foreach (var data in answer.Descendants(CalDav + "calendar-data").Select(d => d.Value).Where(d => d.Length > 0))
        {
            Calendar? calendarObject;
            try
            {
                calendarObject = Calendar.Load(data);
            }
            catch (Exception e)
            {
                // Skipping it could offer time the organizer is busy: the sync fails and says why instead.
                throw Failure(ProviderFailure.Upstream, "The CalDAV server sent an event that is not valid iCalendar.", null, e);
            }
            if (calendarObject is not null) busy.AddRange(Blocking(calendarObject, from, to, floatingZone));
        }
        return [.. busy.OrderBy(b => b.StartsAt)];
    }

    /// <summary>
    /// The blocking occurrences of a calendar object in <c>[from, to)</c>. An event blocks unless it is transparent or
    /// cancelled; an all-day event blocks its days in <paramref name="floatingZone"/>, as does any time without a zone.
    /// </summary>
    public static IEnumerable<BusyWindow> Blocking(Calendar calendar, DateTimeOffset from, DateTimeOffset to, NodaTime.DateTimeZone floatingZone)
    {
        var start = new CalDateTime(from.UtcDateTime.AddHours(-14), "UTC");
        foreach (var occurrence in calendar.GetOccurrences(start).TakeWhileBefore(new CalDateTime(to.UtcDateTime.AddHours(14), "UTC")))
        {
            if (occurrence.Source is not CalendarEvent e) continue;
            if (string.Equals(e.Status, "CANCELLED", StringComparison.OrdinalIgnoreCase)) continue;
            if (string.Equals(e.Transparency, "TRANSPARENT", StringComparison.OrdinalIgnoreCase)) continue;
            var begins = Instant(occurrence.Period.StartTime, floatingZone);
            var ends = occurrence.Period.EffectiveEndTime is { } end ? Instant(end, floatingZone) : begins;
            if (ends > from && begins < to && ends > begins) yield return new BusyWindow(begins, ends);
        }
    }

    /// <summary>
    /// Stores a booking's event as <c>{calendar}/{uid}.ics</c> only if nothing is there yet (<c>If-None-Match: *</c>); a
    /// retry that finds its own earlier write (412) reads that one's ETag. Answers the event's URL and ETag.
    /// </summary>
    public async Task<(Uri Url, string? ETag)> CreateEventAsync(CalDavAccount account, Uri calendar, string uid, CalendarEventSpec spec, int sequence, CancellationToken ct)
    {
        var url = new Uri(calendar, Uri.EscapeDataString(uid) + ".ics");
        using var request = Put(account, url, uid, spec, sequence);
        request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        using var response = await SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed) return (url, await ETagAsync(account, url, ct));
        Ensure(response, request, HttpStatusCode.Created, HttpStatusCode.NoContent, HttpStatusCode.OK);
        return (url, response.Headers.ETag?.ToString() ?? await ETagAsync(account, url, ct));
    }

    /// <summary>Replaces the event only if it is still the version we wrote (<c>If-Match</c>); answers the new ETag.</summary>
    public async Task<string?> UpdateEventAsync(CalDavAccount account, Uri url, string? etag, string uid, CalendarEventSpec spec, int sequence, CancellationToken ct)
    {
        using var request = Put(account, url, uid, spec, sequence);
        if (etag is not null) request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        using var response = await SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed)
            throw Failure(ProviderFailure.Upstream, "The event was changed in the calendar since it was written; it was not overwritten.", 412);
        Ensure(response, request, HttpStatusCode.Created, HttpStatusCode.NoContent, HttpStatusCode.OK);
        return response.Headers.ETag?.ToString() ?? await ETagAsync(account, url, ct);
    }

    /// <summary>Deletes the event; one that is already gone counts as deleted.</summary>
    public async Task DeleteEventAsync(CalDavAccount account, Uri url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, url);
        Authorize(request, account);
        using var response = await SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return;
        Ensure(response, request, HttpStatusCode.NoContent, HttpStatusCode.OK);
    }

    /// <summary>A booking as a calendar object resource (RFC 4791: one UID, no METHOD), in UTC.</summary>
    public static string ToIcs(string uid, CalendarEventSpec spec, int sequence, DateTimeOffset stamp)
    {
        var e = new CalendarEvent
        {
            Uid = uid, Sequence = sequence, DtStamp = new CalDateTime(stamp.UtcDateTime, true),
            DtStart = new CalDateTime(spec.StartsAt.UtcDateTime, true), DtEnd = new CalDateTime(spec.EndsAt.UtcDateTime, true),
            Summary = spec.Title, Description = spec.Description, Location = spec.Location, Status = "CONFIRMED",
        };
        foreach (var attendee in spec.Attendees)
        {
            var invitee = new Attendee($"mailto:{attendee.Email}")
            {
                CommonName = Email.Invitation.Parameter(attendee.Name), Role = "REQ-PARTICIPANT", ParticipationStatus = "ACCEPTED", Rsvp = false,
            };
            // The invitee has our emailed invitation already: a server that schedules on the organizer's behalf (RFC 6638,
            // as iCloud, Fastmail and Nextcloud do) must not send a second one, nor a cancellation of its own.
            invitee.Parameters.Set("SCHEDULE-AGENT", "CLIENT");
            e.Attendees.Add(invitee);
        }
        var calendar = new Calendar { ProductId = "-//OpenCalendly//Scheduling//EN" };
        calendar.Events.Add(e);
        return new Ical.Net.Serialization.CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("iCalendar serialization failed.");
    }

    private static HttpRequestMessage Put(CalDavAccount account, Uri url, string uid, CalendarEventSpec spec, int sequence)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url)
        {
            Content = new StringContent(ToIcs(uid, spec, sequence, DateTimeOffset.UtcNow), Encoding.UTF8, "text/calendar"),
        };
        Authorize(request, account);
        return request;
    }

    /// <summary>The event's current ETag; a missing event fails with status 404.</summary>
    public async Task<string?> ETagAsync(CalDavAccount account, Uri url, CancellationToken ct) =>
        (await PropfindAsync(account, url, 0, Propfind(Dav + "getetag"), ct)).Descendants(Dav + "getetag").FirstOrDefault()?.Value;

    private static void Ensure(HttpResponseMessage response, HttpRequestMessage request, params HttpStatusCode[] expected)
    {
        if (expected.Contains(response.StatusCode)) return;
        throw Failure(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden ? ProviderFailure.Unauthorized : ProviderFailure.Upstream,
            $"The CalDAV server answered {(int)response.StatusCode} {response.ReasonPhrase} to {request.Method} {request.RequestUri?.AbsolutePath}.", (int)response.StatusCode);
    }

    private static void Authorize(HttpRequestMessage request, CalDavAccount account) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.Username}:{account.Password}")));

    private static DateTimeOffset Instant(CalDateTime time, NodaTime.DateTimeZone floatingZone) => time.IsFloating
        ? NodaTime.LocalDateTime.FromDateTime(time.Value).InZoneLeniently(floatingZone).ToDateTimeOffset()
        : new(time.AsUtc, TimeSpan.Zero);

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static XDocument Propfind(params XName[] properties) =>
        new(new XElement(Dav + "propfind", new XAttribute(XNamespace.Xmlns + "d", Dav), new XElement(Dav + "prop", properties.Select(p => new XElement(p)))));

    private async Task<XElement> PropfindAsync(CalDavAccount account, Uri url, int depth, XDocument body, CancellationToken ct)
    {
        using var request = Request(account, new HttpMethod("PROPFIND"), url, depth, body);
        return await MultistatusAsync(request, ct);
    }

    private static HttpRequestMessage Request(CalDavAccount account, HttpMethod method, Uri url, int depth, XDocument body)
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent(body.ToString(SaveOptions.DisableFormatting), Encoding.UTF8, "application/xml") };
        Authorize(request, account);
        request.Headers.Add("Depth", depth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return request;
    }

    private async Task<XElement> MultistatusAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await SendAsync(request, ct);
        Ensure(response, request, HttpStatusCode.MultiStatus);
        try
        {
            return XDocument.Parse(await response.Content.ReadAsStringAsync(ct)).Root ?? throw new FormatException("Empty multistatus.");
        }
        catch (System.Xml.XmlException e)
        {
            throw Failure(ProviderFailure.Upstream, "The CalDAV server's answer is not XML.", null, e);
        }
    }

    /// <summary>
    /// Sends once, and once more if the connection broke before an answer came: every call here is idempotent
    /// (PROPFIND, REPORT, a PUT guarded by its precondition, DELETE), and a server may drop a fresh connection now and
    /// then (Radicale's built-in server did, in about one test run of three).
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(ct);
        for (var attempt = 1; ; attempt++)
        {
            using var again = attempt == 1 ? null : Copy(request, body);
            try
            {
                return await http.SendAsync(again ?? request, HttpCompletionOption.ResponseContentRead, ct);
            }
            catch (HttpRequestException e) when (attempt == 1 && e.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.ConnectionError)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
            catch (HttpRequestException e)
            {
                throw Failure(ProviderFailure.Upstream, $"The CalDAV server could not be reached ({e.HttpRequestError}).", null, e);
            }
        }
    }

    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var (name, values) in request.Headers) copy.Headers.TryAddWithoutValidation(name, values);
        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var (name, values) in request.Content!.Headers) copy.Content.Headers.TryAddWithoutValidation(name, values);
        }
        return copy;
    }

    private static CalendarProviderException Failure(ProviderFailure failure, string message, int? status = null, Exception? inner = null) =>
        new(failure, message, status, inner);
}

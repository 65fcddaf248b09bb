using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Xml.Linq;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// A real CalDAV server: Debian's Radicale on a free port of 127.0.0.1, with its own storage folder and plain htpasswd
/// users (scripts/test installs it). Tests make calendars and events in it with plain WebDAV, as a calendar app would.
/// </summary>
public sealed class Radicale : IAsyncLifetime
{
    public const string User = "alice", Password = "app-specific-password";

    /// <summary>Europe/Berlin as calendar apps write it (summer time from the last Sunday of March), for events in that zone.</summary>
    public const string BerlinZone = """
        BEGIN:VTIMEZONE
        TZID:Europe/Berlin
        BEGIN:DAYLIGHT
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        TZNAME:CEST
        DTSTART:19700329T020000
        RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
        END:DAYLIGHT
        BEGIN:STANDARD
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        TZNAME:CET
        DTSTART:19701025T030000
        RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
        END:STANDARD
        END:VTIMEZONE
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "opencalendly-radicale-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<string, string> _passwords = new() { [User] = Password, ["bob"] = "bobs-password" };
    private Process? _process;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "collections"));
        var users = UsersFile;
        await WriteUsersAsync();
        var port = LocalServer.FreePort();
        var radicale = new[] { "/usr/bin/radicale", "/usr/local/bin/radicale" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Radicale is missing: run the suite with scripts/test, which installs it (apt-get install -y radicale).");
        _process = Process.Start(new ProcessStartInfo(radicale,
            ["-C", "", "--server-hosts", $"127.0.0.1:{port}", "--auth-type", "htpasswd", "--auth-htpasswd-filename", users,
             "--auth-htpasswd-encryption", "plain", "--rights-type", "owner_only", "--storage-filesystem-folder", Path.Combine(_folder, "collections")])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        // What the server said, kept after the run (its storage folder is not) for a failure's diagnosis.
        var log = Path.Combine(Path.GetTempPath(), "radicale-last.log");
        File.WriteAllText(log, "");
        _process.OutputDataReceived += (_, e) => { lock (_folder) File.AppendAllText(log, e.Data + "\n"); };
        _process.ErrorDataReceived += (_, e) => { lock (_folder) File.AppendAllText(log, e.Data + "\n"); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        using var probe = new HttpClient();
        while (true)
        {
            try
            {
                using var answer = await probe.GetAsync(BaseUrl);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false }) _process.Kill(entireProcessTree: true);
        _process?.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
        return Task.CompletedTask;
    }

    private string UsersFile => Path.Combine(_folder, "users");

    private Task WriteUsersAsync()
    {
        lock (_passwords)
            return File.WriteAllTextAsync(UsersFile, string.Concat(_passwords.Select(p => $"{p.Key}:{p.Value}\n")));
    }

    /// <summary>A user of its own for one test (Radicale reads the htpasswd file at each sign-in), so its calendars are only its own.</summary>
    public async Task<(string User, string Password)> NewUserAsync()
    {
        var (user, password) = ($"u{Guid.NewGuid():N}"[..12], $"app-{Guid.NewGuid():N}");
        lock (_passwords) _passwords[user] = password;
        await WriteUsersAsync();
        return (user, password);
    }

    /// <summary>Gives <paramref name="user"/> another password, as revoking an app-specific password does.</summary>
    public async Task ChangePasswordAsync(string user, string password)
    {
        lock (_passwords) _passwords[user] = password;
        await WriteUsersAsync();
    }

    /// <summary>A new calendar of <paramref name="user"/> (MKCALENDAR), holding events or only tasks; its URL.</summary>
    public async Task<Uri> MakeCalendarAsync(string name, string component = "VEVENT", string user = User)
    {
        var url = new Uri(BaseUrl, $"{user}/{Guid.NewGuid():N}/");
        var body = $"""
            <?xml version="1.0" encoding="utf-8"?>
            <c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>
              <d:displayname>{name}</d:displayname>
              <c:supported-calendar-component-set><c:comp name="{component}"/></c:supported-calendar-component-set>
            </d:prop></d:set></c:mkcalendar>
            """;
        using var answer = await Send(new HttpMethod("MKCALENDAR"), url, body, "application/xml", user);
        ((int)answer.StatusCode).ShouldBe(201, await answer.Content.ReadAsStringAsync());
        return url;
    }

    /// <summary>Every calendar object in <paramref name="calendar"/>: its path and its iCalendar text.</summary>
    public async Task<IReadOnlyList<(string Path, string Ics)>> ObjectsAsync(Uri calendar, string user = User)
    {
        const string query = """
            <?xml version="1.0" encoding="utf-8"?>
            <c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
              <d:prop><c:calendar-data/></d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter>
            </c:calendar-query>
            """;
        using var answer = await Send(new HttpMethod("REPORT"), calendar, query, "application/xml", user, depth: "1");
        ((int)answer.StatusCode).ShouldBe(207);
        XNamespace dav = "DAV:", caldav = "urn:ietf:params:xml:ns:caldav";
        return [.. XDocument.Parse(await answer.Content.ReadAsStringAsync()).Root!.Elements(dav + "response")
            .Select(r => (r.Element(dav + "href")!.Value, r.Descendants(caldav + "calendar-data").FirstOrDefault()?.Value ?? ""))
            .Where(o => o.Item2.Length > 0)];
    }

    /// <summary>Deletes a calendar with everything in it, as the organizer's calendar app would.</summary>
    public async Task DeleteCalendarAsync(Uri calendar, string user = User)
    {
        using var answer = await Send(HttpMethod.Delete, calendar, "", "text/plain", user);
        ((int)answer.StatusCode).ShouldBeOneOf([200, 204], await answer.Content.ReadAsStringAsync());
    }

    /// <summary>Stores one calendar object (an <c>.ics</c> holding one event and its recurrences).</summary>
    public async Task PutEventAsync(Uri calendar, string uid, string vevent, string user = User)
    {
        var ics = $"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//OpenCalendly tests//EN\r\n{vevent.Replace("\r\n", "\n").Replace("\n", "\r\n").TrimEnd()}\r\nEND:VCALENDAR\r\n";
        using var answer = await Send(HttpMethod.Put, new Uri(calendar, uid + ".ics"), ics, "text/calendar", user);
        ((int)answer.StatusCode).ShouldBeOneOf([201, 204], await answer.Content.ReadAsStringAsync());
    }

    private async Task<HttpResponseMessage> Send(HttpMethod method, Uri url, string body, string contentType, string user, string? depth = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        string password;
        lock (_passwords) password = _passwords[user];
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        if (depth is not null) request.Headers.Add("Depth", depth);
        return await http.SendAsync(request);
    }
}

[CollectionDefinition(Name)]
public sealed class RadicaleCollection : ICollectionFixture<Radicale>
{
    public const string Name = "radicale";
}

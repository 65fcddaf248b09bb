using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using Microsoft.Extensions.DependencyInjection;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Host.Tests;

/// <summary>A projection that fails inside the booking's transaction for one marked invitee: the injected fault.</summary>
public sealed class FailingProjection : EventProjection
{
    public const string MarkedInvitee = "fail-inside-the-transaction@example.com";

    public FailingProjection()
    {
        Name = "InjectedFault";
        IncludeType<BookingConfirmed>();
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation) =>
        e.Data is BookingConfirmed { InviteeEmail: MarkedInvitee }
            ? throw new InvalidOperationException("Injected failure after the booking's events were staged.")
            : ValueTask.CompletedTask;
}

/// <summary>A database of its own (row counts must move only with this host's requests), with the fault injected.</summary>
public sealed class HostileApp : App
{
    protected override string OwnDatabase => "hostile";

    protected override void ConfigureServices(IServiceCollection services) =>
        services.ConfigureMarten(opts => opts.Projections.Add(new FailingProjection(), ProjectionLifecycle.Inline));
}

[CollectionDefinition(Name)]
public sealed class HostileCollection : ICollectionFixture<HostileApp>
{
    public const string Name = "hostile";
}

/// <summary>
/// Generated hostile requests (CsCheck) against every route that takes input: never a 5xx, every refusal is
/// problem+json with <c>ok:false</c>, and a refused request leaves every table as it was.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class HostileInputTests(HostileApp app, Xunit.Abstractions.ITestOutputHelper output)
{
    private readonly HttpClient _http = app.Http;

    private sealed record Route(HttpMethod Method, string Path, JsonObject? Body, string? Session, bool Keyed = false);

    private async Task<Route[]> Routes()
    {
        var (organizer, slug, eventTypeId) = await _http.Bookable();
        var (owner, teamId, teamSlug) = await _http.Team();
        await _http.Member(teamId, owner);
        var teamEventSlug = Organizers.Unique("demo");
        (await _http.Post("/v0/team-event-types", new { teamId, name = "Demo", slug = teamEventSlug, durationMinutes = 30, mode = "round_robin", locationType = "video" },
            owner.Session)).ShouldBe(200);
        var webhookId = (await _http.Post("/v0/webhooks", new { url = "https://93.184.215.14/hook", events = new[] { "booking.created" }, secret = "fuzz-secret" },
            organizer.Session)).ShouldBe(200).Json["webhook"]!["id"]!.GetValue<string>();
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-05-06T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var cancel = booked["actions"]!["cancel"]!["token"]!.GetValue<string>();
        var reschedule = booked["actions"]!["reschedule"]!["token"]!.GetValue<string>();
        JsonObject Json(object value) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(value))!.AsObject();

        return
        [
            new(HttpMethod.Post, "/v0/auth/magic-link", Json(new { email = "fuzz@example.com", username = "fuzz-user", displayName = "Fuzz", timezone = "UTC" }), null),
            new(HttpMethod.Post, "/v0/auth/verify", Json(new { token = "not-a-token" }), null),
            new(HttpMethod.Post, "/v0/bookings", Json(Bookings.Request(organizer, slug, "2030-05-07T10:00:00Z")), null, Keyed: true),
            new(HttpMethod.Post, "/v0/team-bookings", Json(new { teamSlug, eventSlug = teamEventSlug, startsAt = "2030-05-07T11:00:00Z", inviteeName = "Fuzz", inviteeEmail = "f@example.com" }), null, Keyed: true),
            new(HttpMethod.Post, $"/v0/bookings/actions/{cancel}/cancel", Json(new { reason = "fuzz" }), null),
            new(HttpMethod.Post, $"/v0/bookings/actions/{reschedule}/reschedule", Json(new { startsAt = "2030-05-08T10:00:00Z", timezone = "UTC" }), null, Keyed: true),
            new(HttpMethod.Post, "/v0/analytics/funnel/events", Json(new { username = organizer.Username, eventSlug = slug, stage = "page_view" }), null),
            new(HttpMethod.Post, "/v0/event-types", Json(new { name = "Fuzz", slug = "fuzz-type", durationMinutes = 30, locationType = "video", questions = Array.Empty<object>(),
                controls = new { dailyCap = 3 }, reminders = new[] { new { minutesBefore = 60, to = "both" } } }), organizer.Session),
            new(HttpMethod.Patch, $"/v0/event-types/{eventTypeId}", Json(new { name = "Renamed", durationMinutes = 45, controls = new { slotIncrementMinutes = 30 } }), organizer.Session),
            new(HttpMethod.Put, "/v0/me/availability/rules", Json(new { rules = new[] { new { dayOfWeek = 1, startMinute = 540, endMinute = 1020, bufferBeforeMinutes = 0, bufferAfterMinutes = 0 } } }), organizer.Session),
            new(HttpMethod.Put, "/v0/me/availability/overrides", Json(new { overrides = new[] { new { startAt = "2030-06-01T10:00:00Z", endAt = "2030-06-01T12:00:00Z", isAvailable = false, reason = "x" } } }), organizer.Session),
            new(HttpMethod.Post, "/v0/me/time-off", Json(new { startDate = "2030-07-01", endDate = "2030-07-02", reason = "fuzz" }), organizer.Session),
            new(HttpMethod.Post, "/v0/me/time-off/holidays", Json(new { country = "DE", year = 2031 }), organizer.Session),
            new(HttpMethod.Post, "/v0/teams", Json(new { name = "Fuzz team", slug = "fuzz-team" }), organizer.Session),
            new(HttpMethod.Post, $"/v0/teams/{teamId}/members", Json(new { userId = organizer.Id, role = "member" }), owner.Session),
            new(HttpMethod.Post, "/v0/team-event-types", Json(new { teamId, name = "Fuzz", slug = "fuzz-team-type", durationMinutes = 30, mode = "collective", locationType = "video" }), owner.Session),
            new(HttpMethod.Post, "/v0/webhooks", Json(new { url = "https://93.184.215.14/other", events = new[] { "booking.canceled" }, secret = "another-secret" }), organizer.Session),
            new(HttpMethod.Patch, $"/v0/webhooks/{webhookId}", Json(new { isActive = false }), organizer.Session),
            new(HttpMethod.Post, "/v0/calendar/google/connect/start", Json(new { redirectUri = "https://app.example.com/callback" }), organizer.Session),
            new(HttpMethod.Post, "/v0/calendar/google/connect/complete", Json(new { code = "c", state = "s", redirectUri = "https://app.example.com/callback" }), organizer.Session),
            new(HttpMethod.Post, "/v0/calendar/google/sync", Json(new { start = "2030-01-01T00:00:00Z", end = "2030-01-08T00:00:00Z" }), organizer.Session),
            new(HttpMethod.Post, "/v0/calendar/writeback/run", Json(new { limit = 10 }), organizer.Session),
            new(HttpMethod.Post, "/v0/webhooks/deliveries/run?limit=5", Json(new { }), organizer.Session),
            new(HttpMethod.Get, $"/v0/users/{organizer.Username}/event-types/{slug}/availability?timezone=UTC&start=2030-05-06T00:00:00Z&days=7", null, null),
            new(HttpMethod.Get, $"/v0/teams/{teamSlug}/event-types/{teamEventSlug}/availability?timezone=UTC&start=2030-05-06T00:00:00Z&days=7", null, null),
            new(HttpMethod.Get, "/v0/analytics/funnel?startDate=2030-01-01&endDate=2030-01-31", null, organizer.Session),
            new(HttpMethod.Get, "/v0/me/bookings?from=2030-01-01T00:00:00Z&status=confirmed&limit=10", null, organizer.Session),
            new(HttpMethod.Get, "/v0/me/time-off/holidays?country=US&year=2030", null, organizer.Session),
        ];
    }

    /// <summary>Values no field expects: wrong types, extremes, broken dates and zones, control characters, lone surrogates, deep nesting.</summary>
    private static readonly string[] HostileValues =
    [
        "null", "true", "0", "-1", "1.5", "1e400", "-9223372036854775809", "123456789012345678901234567890", "2147483648",
        "\"\"", "\" \"", "\"\\u0000\"", "\"a\\u0007b\\u001b[31m\"", "\"\\ud800\"", $"\"{new string('x', 5000)}\"",
        "\"2030-02-30T10:00:00Z\"", "\"2030-01-01T10:00:00\"", "\"1999-12-31T23:59:59Z\"", "\"2200-01-01T00:00:00Z\"", "\"99999-01-01\"",
        "\"Mars/Olympus_Mons\"", "\"../../etc/passwd\"", "\"<script>alert(1)</script>\"", "\"javascript:alert(1)\"", "\"http://169.254.169.254/latest\"",
        "[]", "{}", "[null]", "[{}]", "{\"$type\":\"System.IO.FileInfo, System.IO\"}", new string('[', 200) + new string(']', 200),
        "\"DROP TABLE opencalendly.mt_events;--\"", "\"📅🗓️\"",
    ];

    private static Gen<(int Route, string Body, string Label)> Requests(Route[] routes)
    {
        var bodyRoutes = routes.Select((r, i) => (r, i)).Where(x => x.r.Body is not null).Select(x => x.i).ToArray();
        var fieldRoutes = bodyRoutes.Where(i => routes[i].Body!.Count > 0).ToArray();
        var queryRoutes = routes.Select((r, i) => (r, i)).Where(x => x.r.Body is null).Select(x => x.i).ToArray();
        var value = Gen.OneOf(HostileValues);

        var replaceField = Gen.Select(Gen.OneOf(fieldRoutes), Gen.Int[0, 100], value, (route, pick, v) =>
        {
            var body = routes[route].Body!.DeepClone().AsObject();
            var key = body.Select(p => p.Key).ElementAt(pick % body.Count);
            return (route, Replace(body.ToJsonString(), key, v), $"{key} = {Short(v)}");
        });
        var dropField = Gen.Select(Gen.OneOf(fieldRoutes), Gen.Int[0, 100], (route, pick) =>
        {
            var body = routes[route].Body!.DeepClone().AsObject();
            var key = body.Select(p => p.Key).ElementAt(pick % body.Count);
            body.Remove(key);
            return (route, body.ToJsonString(), $"without {key}");
        });
        var unknownField = Gen.Select(Gen.OneOf(bodyRoutes), value, (route, v) =>
            (route, routes[route].Body!.ToJsonString().TrimEnd('}') + (routes[route].Body!.Count > 0 ? "," : "") + $"\"unexpected\":{v}}}", $"unexpected = {Short(v)}"));
        var broken = Gen.Select(Gen.OneOf(bodyRoutes), Gen.Int[1, 400], Gen.OneOf("truncate", "garbage", "root"), (route, at, how) =>
        {
            var json = routes[route].Body!.ToJsonString();
            return how switch
            {
                "truncate" => (route, json[..Math.Min(at, json.Length - 1)], $"cut at {Math.Min(at, json.Length - 1)}"),
                "garbage" => (route, json.Insert(Math.Min(at, json.Length - 1), "\u0001}{,:"), "garbage inside"),
                _ => (route, HostileValues[at % HostileValues.Length], $"root {Short(HostileValues[at % HostileValues.Length])}"),
            };
        });
        var query = Gen.Select(Gen.OneOf(queryRoutes), Gen.Int[0, 100], value, (route, pick, v) =>
        {
            var path = routes[route].Path;
            var parameters = path[(path.IndexOf('?') + 1)..].Split('&');
            var name = parameters[pick % parameters.Length].Split('=')[0];
            var raw = v.Trim('"');
            return (route, $"{name}={Uri.EscapeDataString(raw)}", $"{name} = {Short(v)}");
        });
        return Gen.Frequency<(int Route, string Body, string Label)>((3, replaceField), (1, dropField), (1, unknownField), (2, broken), (2, query));
    }

    private static string Replace(string json, string key, string value)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node[key] = "\u0000PLACEHOLDER";
        return node.ToJsonString().Replace("\"\\u0000PLACEHOLDER\"", value);
    }

    private static string Short(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private async Task<(int Status, string Body, string? ContentType)> SendAsync(Route route, string body)
    {
        var path = route.Body is null ? route.Path[..route.Path.IndexOf('?')] + "?" + Merge(route.Path, body) : route.Path;
        using var request = new HttpRequestMessage(route.Method, path);
        if (route.Body is not null) request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { { "Content-Type", "application/json" } } };
        if (route.Session is not null) request.Headers.Authorization = new("Bearer", route.Session);
        if (route.Keyed) request.Headers.Add("Idempotency-Key", Api.NewKey());
        using var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType);
    }

    private static string Merge(string path, string replacement)
    {
        var name = replacement.Split('=')[0];
        return string.Join('&', path[(path.IndexOf('?') + 1)..].Split('&').Select(p => p.Split('=')[0] == name ? replacement : p));
    }

    private async Task Check(Route route, byte[]? rawBody, string body, string label, Dictionary<int, int> seen)
    {
        var before = await DatabaseSnapshot.TakeAsync(app.DatabaseConnectionString);
        (int Status, string Body, string? ContentType) answer;
        if (rawBody is null) answer = await SendAsync(route, body);
        else
        {
            var sent = await _http.SendBytes(route.Method, route.Path, rawBody, session: route.Session);
            answer = ((int)sent.Status, sent.Body, sent.ContentType);
        }
        lock (seen) seen[answer.Status] = seen.GetValueOrDefault(answer.Status) + 1;
        var what = $"{route.Method} {route.Path.Split('?')[0]} with {label}";

        answer.Status.ShouldBeLessThan(500, $"{what}: {answer.Body}");
        if (answer.Status < 400) return;
        answer.ContentType.ShouldBe("application/problem+json", what);
        var problem = JsonNode.Parse(answer.Body)!;
        problem["ok"]!.GetValue<bool>().ShouldBeFalse(what);
        problem["error"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace(what);
        answer.Body.ShouldNotContain("   at ", Case.Sensitive, what);
        var after = await DatabaseSnapshot.TakeAsync(app.DatabaseConnectionString);
        // A refusal decided while processing (not found, slot taken) is stored under its Idempotency-Key, so a
        // retry replays it: that one row is the only change a refused request may make.
        var changed = DatabaseSnapshot.Difference(before, after, allowOneMore: route.Keyed ? "idempotency" : null);
        changed.ShouldBeEmpty($"{what} was refused with {answer.Status} but changed the database");
    }

    [Fact]
    public async Task generated_hostile_requests_to_every_route_never_get_a_5xx_and_a_refusal_changes_nothing()
    {
        var routes = await Routes();
        var seen = new Dictionary<int, int>();
        var tried = 0;

        await Requests(routes).SampleAsync(async request =>
        {
            Interlocked.Increment(ref tried);
            await Check(routes[request.Route], null, request.Body, request.Label, seen);
        }, iter: 700, threads: 1, print: r => $"{routes[r.Route].Method} {routes[r.Route].Path} ← {r.Label}");

        // Bodies no generator should spend time on: 10 MB, invalid UTF-8, and an unterminated string.
        foreach (var route in routes.Where(r => r.Body is not null))
        {
            var huge = route.Body!.ToJsonString().TrimEnd('}') + (route.Body.Count > 0 ? "," : "") + $"\"name\":\"{new string('y', 10 * 1024 * 1024)}\"}}";
            await Check(route, Encoding.UTF8.GetBytes(huge), "", "a 10 MB string", seen);
            var json = Encoding.UTF8.GetBytes(route.Body.ToJsonString());
            byte[] invalidUtf8 = [.. json[..^2], 0xC3, 0x28, 0xFF, 0xED, 0xA0, 0x80, .. json[^2..]];
            await Check(route, invalidUtf8, "", "invalid UTF-8", seen);
            await Check(route, Encoding.UTF8.GetBytes("{\"name\":\"unterminated"), "", "an unterminated string", seen);
            tried += 3;
        }
        output.WriteLine($"{tried} requests over {routes.Length} routes; statuses: {string.Join(", ", seen.OrderBy(s => s.Key).Select(s => $"{s.Value} × {s.Key}"))}");
        seen.Keys.ShouldAllBe(s => s < 500);
    }

    [Fact]
    public async Task a_failure_after_the_events_are_staged_leaves_nothing_half_written()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var before = await DatabaseSnapshot.TakeAsync(app.DatabaseConnectionString);
        var key = Api.NewKey();

        var failed = await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-05-13T10:00:00Z", FailingProjection.MarkedInvitee), idempotencyKey: key);

        failed.ShouldBeProblem(500, "server-error");
        DatabaseSnapshot.Difference(before, await DatabaseSnapshot.TakeAsync(app.DatabaseConnectionString)).ShouldBeEmpty();
        (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2030-05-13T00:00:00Z&days=1")).Json["slots"]!.AsArray()
            .ShouldContain(s => s!["startsAt"]!.GetValue<string>() == "2030-05-13T10:00:00.000Z");
        await Task.Delay(1500);   // no email or webhook from the rolled-back booking may go out
        (await Mailbox.WaitFor(app.MailFolder, "booking-confirmed", 1, TimeSpan.Zero)).ShouldBeEmpty();

        // The key was freed and the slot is still there for the next invitee.
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-05-13T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
    }
}

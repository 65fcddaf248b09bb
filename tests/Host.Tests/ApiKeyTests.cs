using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// API keys as an integrator uses them (create, call, revoke) and as an attacker would try them: every organizer route
/// against every scope, keys that are unknown, revoked or expired, and a key trying to make keys or change the account.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class ApiKeyTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private static readonly string[] Scopes =
        ["event-types:read", "event-types:write", "availability:read", "availability:write", "bookings:read", "bookings:write",
         "webhooks:read", "webhooks:write", "analytics:read"];

    /// <summary>Every route that takes a caller, with the scope a key needs for it: "session" for routes only a signed-in organizer may use, "any" for any key.</summary>
    private static readonly Dictionary<(string Method, string Route), string> RouteScopes = new()
    {
        [("GET", "/v0/auth/me")] = "any", [("POST", "/v0/auth/logout")] = "session", [("GET", "/v0/me/export")] = "session", [("DELETE", "/v0/me")] = "session",
        [("POST", "/v0/api-keys")] = "session", [("GET", "/v0/api-keys")] = "session", [("DELETE", "/v0/api-keys/{id}")] = "session",
        [("GET", "/v0/event-types")] = "event-types:read", [("POST", "/v0/event-types")] = "event-types:write",
        [("PATCH", "/v0/event-types/{id}")] = "event-types:write", [("GET", "/v0/teams/{teamId}/event-types")] = "event-types:read",
        [("POST", "/v0/team-event-types")] = "event-types:write", [("PATCH", "/v0/team-event-types/{id}")] = "event-types:write",
        [("GET", "/v0/me/availability")] = "availability:read", [("PUT", "/v0/me/availability/rules")] = "availability:write",
        [("PUT", "/v0/me/availability/overrides")] = "availability:write", [("GET", "/v0/me/time-off")] = "availability:read",
        [("POST", "/v0/me/time-off")] = "availability:write", [("DELETE", "/v0/me/time-off/{id}")] = "availability:write",
        [("GET", "/v0/me/time-off/holidays")] = "availability:read", [("POST", "/v0/me/time-off/holidays")] = "availability:write",
        [("GET", "/v0/calendar/sync/status")] = "availability:read", [("POST", "/v0/calendar/{provider}/sync")] = "availability:write",
        [("POST", "/v0/calendar/{provider}/connect/start")] = "session", [("POST", "/v0/calendar/{provider}/connect/complete")] = "session",
        [("POST", "/v0/calendar/{provider}/disconnect")] = "session",
        [("POST", "/v0/calendar/caldav/connect")] = "session", [("PATCH", "/v0/calendar/caldav")] = "session",
        [("GET", "/v0/calendar/writeback/status")] = "bookings:read", [("POST", "/v0/calendar/writeback/run")] = "bookings:write",
        [("GET", "/v0/me/bookings")] = "bookings:read", [("GET", "/v0/bookings")] = "bookings:read", [("GET", "/v0/bookings/{id}")] = "bookings:read",
        [("GET", "/v0/bookings/{id}/history")] = "bookings:read", [("POST", "/v0/bookings/{id}/cancel")] = "bookings:write",
        [("POST", "/v0/privacy/erase-invitee")] = "bookings:write",
        [("GET", "/v0/webhooks")] = "webhooks:read", [("POST", "/v0/webhooks")] = "webhooks:write", [("PATCH", "/v0/webhooks/{id}")] = "webhooks:write",
        [("GET", "/v0/webhooks/{id}/deliveries")] = "webhooks:read", [("POST", "/v0/webhooks/deliveries/run")] = "webhooks:write",
        [("GET", "/v0/analytics/funnel")] = "analytics:read", [("GET", "/v0/analytics/team")] = "analytics:read",
        [("GET", "/v0/analytics/operator/health")] = "analytics:read",
        [("GET", "/v0/teams")] = "session", [("POST", "/v0/teams")] = "session", [("GET", "/v0/teams/{teamId}/members")] = "session",
        [("POST", "/v0/teams/{teamId}/members")] = "session", [("DELETE", "/v0/teams/{teamId}/members/{userId}")] = "session",
        [("GET", "/v0/me/team-invitations")] = "session", [("POST", "/v0/me/team-invitations/{id}/accept")] = "session",
        [("POST", "/v0/me/team-invitations/{id}/decline")] = "session", [("DELETE", "/v0/me/teams/{teamId}")] = "session",
    };

    private async Task<(string Token, JsonNode Key)> NewKey(Organizer organizer, string[] scopes, object? expiresAt = null, string name = "CRM sync")
    {
        var created = (await _http.Post("/v0/api-keys", new { name, scopes, expiresAt }, organizer.Session)).ShouldBe(200).Json;
        return (created["token"]!.GetValue<string>(), created["apiKey"]!);
    }

    [Fact]
    public async Task every_route_that_takes_a_caller_is_in_the_scope_table()
    {
        var routes = app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetOrderedMetadata<IAuthorizeData>().Count > 0)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .ToHashSet();
        routes.Except(RouteScopes.Keys).ShouldBeEmpty("a new organizer route needs its scope decided here");
        RouteScopes.Keys.Except(routes).ShouldBeEmpty("a route in the table no longer exists");
    }

    [Fact]
    public async Task every_organizer_route_against_every_scope_is_allowed_exactly_when_the_key_holds_its_scope()
    {
        var organizer = await _http.SignUp();
        var keys = new Dictionary<string, string>();
        foreach (var scope in Scopes) keys[scope] = (await NewKey(organizer, [scope], name: scope)).Token;

        var wrong = new List<string>();
        foreach (var ((method, route), needed) in RouteScopes)
        {
            var path = route.Replace("{id}", Guid.NewGuid().ToString()).Replace("{teamId}", Guid.NewGuid().ToString())
                .Replace("{userId}", Guid.NewGuid().ToString()).Replace("{provider}", "google");
            var body = method is "GET" or "DELETE" ? null : "{}";
            foreach (var (scope, token) in keys)
            {
                var answer = await _http.Send(new HttpMethod(method), path, body, token);
                var status = (int)answer.Status;
                var expected = needed == "any" || needed == scope ? "allowed" : needed == "session" ? "session-required" : "insufficient-scope";
                var got = status is 401 or 403 ? (status == 403 ? answer.Json["type"]!.GetValue<string>()["/problems/".Length..] : "401") : "allowed";
                if (got != expected) wrong.Add($"{method} {route} with {scope}: {status} {answer.Body}");
                else if (expected == "insufficient-scope") answer.Json["scope"]!.GetValue<string>().ShouldBe(needed);
            }
        }
        wrong.ShouldBeEmpty();
    }

    [Fact]
    public async Task an_integrator_creates_a_key_uses_it_and_it_stops_working_on_every_host_the_moment_it_is_revoked()
    {
        var organizer = await _http.SignUp();
        var (token, key) = await NewKey(organizer, ["event-types:read", "event-types:write"], name: "Zapier");
        token.ShouldStartWith("oc_live_");
        (token.Length - "oc_live_".Length).ShouldBeGreaterThanOrEqualTo(43);   // 256 random bits, base64url
        key["prefix"]!.GetValue<string>().ShouldBe(token[..14]);
        key["scopes"]!.AsArray().Select(s => s!.GetValue<string>()).ShouldBe(["event-types:read", "event-types:write"]);
        key["lastUsedAt"].ShouldBeNull();

        // It acts as its organizer within its scopes.
        (await _http.Post("/v0/event-types", new { name = "Intro", slug = Organizers.Unique("intro"), durationMinutes = 30, locationType = "video" }, token))
            .ShouldBe(200);
        (await _http.Get("/v0/event-types", token)).ShouldBe(200).Json["eventTypes"]!.AsArray().Count.ShouldBe(1);
        (await _http.Get("/v0/auth/me", token)).ShouldBe(200).Json["user"]!["username"]!.GetValue<string>().ShouldBe(organizer.Username);

        // The list shows it without its token; its last use is recorded.
        var listed = (await _http.Get("/v0/api-keys", organizer.Session)).ShouldBe(200);
        listed.Body.ShouldNotContain(token);
        listed.Body.ShouldNotContain(token[14..]);
        var shown = listed.Json["apiKeys"]!.AsArray().ShouldHaveSingleItem()!;
        shown["name"]!.GetValue<string>().ShouldBe("Zapier");
        shown["lastUsedAt"].ShouldNotBeNull();

        // Another host on the same database refuses it as soon as it is revoked here.
        await using var other = await app.StartHost();
        var otherHttp = other.Server.CreateClient();
        (await otherHttp.Get("/v0/event-types", token)).ShouldBe(200);
        (await _http.Send(HttpMethod.Delete, $"/v0/api-keys/{key["id"]}", null, organizer.Session)).ShouldBe(200);
        (await otherHttp.Get("/v0/event-types", token)).ShouldBeProblem(401, "unauthorized").Json["error"]!.GetValue<string>().ShouldContain("API key");
        (await _http.Get("/v0/event-types", token)).ShouldBeProblem(401, "unauthorized");
        (await _http.Get("/v0/api-keys", organizer.Session)).Json["apiKeys"]!.AsArray().ShouldBeEmpty();
        (await _http.Send(HttpMethod.Delete, $"/v0/api-keys/{key["id"]}", null, organizer.Session)).ShouldBeProblem(404, "not-found");
    }

    [Fact]
    public async Task unknown_expired_and_other_organizers_keys_get_nothing()
    {
        var organizer = await _http.SignUp();
        (await _http.Get("/v0/event-types", "oc_live_" + new string('A', 43))).ShouldBeProblem(401, "unauthorized");
        (await _http.Get("/v0/event-types", "oc_live_")).ShouldBeProblem(401, "unauthorized");

        var (expiring, _) = await NewKey(organizer, ["event-types:read"], expiresAt: DateTimeOffset.UtcNow.AddDays(2));
        (await _http.Get("/v0/event-types", expiring)).ShouldBe(200);
        await app.Clock.At(DateTimeOffset.UtcNow.AddDays(3), async () =>
        {
            (await _http.Get("/v0/event-types", expiring)).ShouldBeProblem(401, "unauthorized");
            (await _http.Get("/v0/api-keys", organizer.Session)).Json["apiKeys"]!.AsArray().ShouldBeEmpty();
        });

        // Another organizer can neither see nor revoke it.
        var (_, key) = await NewKey(organizer, ["bookings:read"]);
        var stranger = await _http.SignUp();
        (await _http.Get("/v0/api-keys", stranger.Session)).Json["apiKeys"]!.AsArray().ShouldBeEmpty();
        (await _http.Send(HttpMethod.Delete, $"/v0/api-keys/{key["id"]}", null, stranger.Session)).ShouldBeProblem(404, "not-found");
    }

    [Fact]
    public async Task a_key_cannot_make_keys_or_change_the_account_and_bad_requests_say_why()
    {
        var organizer = await _http.SignUp();
        var (token, key) = await NewKey(organizer, Scopes);
        (await _http.Post("/v0/api-keys", new { name = "escalate", scopes = Scopes }, token)).ShouldBeProblem(403, "session-required");
        (await _http.Send(HttpMethod.Delete, $"/v0/api-keys/{key["id"]}", null, token)).ShouldBeProblem(403, "session-required");
        (await _http.Post("/v0/teams", new { name = "Mine", slug = Organizers.Unique("t") }, token)).ShouldBeProblem(403, "session-required");
        (await _http.Post("/v0/auth/logout", new { }, token)).ShouldBeProblem(403, "session-required");

        (await _http.Post("/v0/api-keys", new { name = "", scopes = new[] { "bookings:read" } }, organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/api-keys", new { name = "x", scopes = Array.Empty<string>() }, organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/api-keys", new { name = "x", scopes = new[] { "admin" } }, organizer.Session)).ShouldBeProblem(400, "validation")
            .Json["error"]!.GetValue<string>().ShouldContain("admin");
        (await _http.Post("/v0/api-keys", new { name = "x", scopes = new[] { "bookings:read", "bookings:read" } }, organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/api-keys", new { name = "x", scopes = new[] { "bookings:read" }, expiresAt = "2001-01-01T00:00:00Z" }, organizer.Session))
            .ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/api-keys", "{\"name\": 5}", organizer.Session)).ShouldBeProblem(400, "wrong-type");
        (await _http.Post("/v0/api-keys", new { name = "x", scopes = new[] { "bookings:read" } })).ShouldBe(401);
    }

    [Fact]
    public async Task keys_made_all_at_once_stop_at_the_cap()
    {
        var organizer = await _http.SignUp();
        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            _http.Post("/v0/api-keys", new { name = $"key {i}", scopes = new[] { "bookings:read" } }, organizer.Session)));
        answers.Count(a => (int)a.Status == 200).ShouldBe(50);
        foreach (var refused in answers.Where(a => (int)a.Status != 200)) refused.ShouldBeProblem(409, "too-many-api-keys");
        (await _http.Get("/v0/api-keys", organizer.Session)).ShouldBe(200).Json["apiKeys"]!.AsArray().Count.ShouldBe(50);
    }

    [Fact]
    public async Task the_bookings_api_pages_filters_reads_and_cancels_as_the_key()
    {
        var (organizer, slug, eventTypeId) = await _http.Bookable();
        var (_, _, otherTypeId) = await _http.Bookable();
        var ids = new List<string>();
        foreach (var day in new[] { 7, 5, 3, 6, 4 })
            ids.Add((await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, $"2031-03-0{day}T10:00:00Z", $"pat{day}@example.com"),
                idempotencyKey: Api.NewKey())).ShouldBe(200).Json["booking"]!["id"]!.GetValue<string>());
        var (reader, _) = await NewKey(organizer, ["bookings:read"]);
        var (writer, _) = await NewKey(organizer, ["bookings:write"], name: "Helpdesk");

        // Two at a time, in start order, each once.
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = (await _http.Get("/v0/bookings?limit=2" + (cursor is null ? "" : "&cursor=" + cursor), reader)).ShouldBe(200).Json;
            var items = page["bookings"]!.AsArray();
            items.Count.ShouldBeLessThanOrEqualTo(2);
            seen.AddRange(items.Select(b => b!["startsAt"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        seen.ShouldBe(["2031-03-03T10:00:00.000Z", "2031-03-04T10:00:00.000Z", "2031-03-05T10:00:00.000Z", "2031-03-06T10:00:00.000Z", "2031-03-07T10:00:00.000Z"]);

        // Cancel one as the key: the history names the key, and the invitee is told as when a host cancels.
        await Task.Delay(50);
        var beforeCancel = DateTimeOffset.UtcNow.ToString("O");
        (await _http.Post($"/v0/bookings/{ids[0]}/cancel", new { reason = "Double-booked in the CRM" }, reader)).ShouldBeProblem(403, "insufficient-scope");
        (await _http.Post($"/v0/bookings/{ids[0]}/cancel", new { reason = "Double-booked in the CRM" }, writer)).ShouldBe(200)
            .Json["booking"]!["status"]!.GetValue<string>().ShouldBe("canceled");
        (await Mailbox.WaitFor(app.MailFolder, $"booking-canceled:{ids[0]}:invitee", 1)).ShouldHaveSingleItem();
        var entry = (await _http.Get($"/v0/bookings/{ids[0]}/history", reader)).ShouldBe(200).Json["history"]!.AsArray()
            .Single(h => h!["type"]!.GetValue<string>() == "booking.canceled")!;
        entry["actor"]!["kind"]!.GetValue<string>().ShouldBe("api-key");
        entry["actor"]!["name"]!.GetValue<string>().ShouldBe("Helpdesk");

        // Filters: status, window, event type, changed since.
        string[] Starts(JsonNode page) => [.. page["bookings"]!.AsArray().Select(b => b!["startsAt"]!.GetValue<string>())];
        Starts((await _http.Get("/v0/bookings?status=canceled", reader)).ShouldBe(200).Json).ShouldBe(["2031-03-07T10:00:00.000Z"]);
        Starts((await _http.Get("/v0/bookings?status=confirmed&from=2031-03-04T00:00:00Z&to=2031-03-06T00:00:00Z", reader)).Json)
            .ShouldBe(["2031-03-04T10:00:00.000Z", "2031-03-05T10:00:00.000Z"]);
        Starts((await _http.Get($"/v0/bookings?updatedSince={Uri.EscapeDataString(beforeCancel)}", reader)).Json).ShouldBe(["2031-03-07T10:00:00.000Z"]);
        (await _http.Get($"/v0/bookings?eventTypeId={otherTypeId}", reader)).Json["bookings"]!.AsArray().ShouldBeEmpty();
        (await _http.Get($"/v0/bookings?eventTypeId={eventTypeId}", reader)).Json["bookings"]!.AsArray().Count.ShouldBe(5);

        // One booking; another organizer's is as missing as a made-up one.
        var one = (await _http.Get($"/v0/bookings/{ids[1]}", reader)).ShouldBe(200).Json["booking"]!;
        one["inviteeEmail"]!.GetValue<string>().ShouldBe("pat5@example.com");
        one["updatedAt"].ShouldNotBeNull();
        var stranger = await _http.SignUp();
        (await _http.Get($"/v0/bookings/{ids[1]}", stranger.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get("/v0/bookings", stranger.Session)).Json["bookings"]!.AsArray().ShouldBeEmpty();
        (await _http.Get($"/v0/bookings/{Guid.NewGuid()}", reader)).ShouldBeProblem(404, "not-found");

        // Bad input says which field.
        foreach (var query in new[] { "status=maybe", "from=yesterday", "limit=0", "limit=201", "cursor=not-a-cursor", "eventTypeId=x", "updatedSince=1" })
            (await _http.Get("/v0/bookings?" + query, reader)).ShouldBeProblem(400, "validation");
    }
}

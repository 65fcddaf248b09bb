namespace OpenCalendly.Host.Tests;

/// <summary>
/// Every organizer route refuses a missing, revoked or expired session with 401, answers another organizer's
/// ids exactly like missing ones (404), and never shows one organizer's data to another.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class AuthorizationTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private static readonly (HttpMethod Method, string Path)[] OrganizerRoutes =
    [
        (HttpMethod.Get, "/v0/auth/me"), (HttpMethod.Post, "/v0/auth/logout"),
        (HttpMethod.Get, "/v0/event-types"), (HttpMethod.Post, "/v0/event-types"), (HttpMethod.Patch, "/v0/event-types/{id}"),
        (HttpMethod.Get, "/v0/me/availability"), (HttpMethod.Put, "/v0/me/availability/rules"), (HttpMethod.Put, "/v0/me/availability/overrides"),
        (HttpMethod.Get, "/v0/me/time-off"), (HttpMethod.Post, "/v0/me/time-off"), (HttpMethod.Delete, "/v0/me/time-off/{id}"),
        (HttpMethod.Get, "/v0/me/time-off/holidays?country=US&year=2030"), (HttpMethod.Post, "/v0/me/time-off/holidays"),
        (HttpMethod.Get, "/v0/me/bookings"), (HttpMethod.Get, "/v0/bookings/{id}/history"),
        (HttpMethod.Get, "/v0/teams"), (HttpMethod.Post, "/v0/teams"), (HttpMethod.Get, "/v0/teams/{id}/members"),
        (HttpMethod.Post, "/v0/teams/{id}/members"), (HttpMethod.Get, "/v0/teams/{id}/event-types"), (HttpMethod.Post, "/v0/team-event-types"),
        (HttpMethod.Get, "/v0/webhooks"), (HttpMethod.Post, "/v0/webhooks"), (HttpMethod.Patch, "/v0/webhooks/{id}"),
        (HttpMethod.Get, "/v0/webhooks/{id}/deliveries"), (HttpMethod.Post, "/v0/webhooks/deliveries/run"),
        (HttpMethod.Get, "/v0/calendar/sync/status"), (HttpMethod.Post, "/v0/calendar/google/connect/start"),
        (HttpMethod.Post, "/v0/calendar/google/connect/complete"), (HttpMethod.Post, "/v0/calendar/google/disconnect"),
        (HttpMethod.Post, "/v0/calendar/google/sync"), (HttpMethod.Get, "/v0/calendar/writeback/status"), (HttpMethod.Post, "/v0/calendar/writeback/run"),
        (HttpMethod.Get, "/v0/analytics/funnel"), (HttpMethod.Get, "/v0/analytics/team"), (HttpMethod.Get, "/v0/analytics/operator/health"),
    ];

    private async Task<int[]> StatusesWith(string? session)
    {
        var statuses = new List<int>();
        foreach (var (method, path) in OrganizerRoutes)
        {
            var body = method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{}";
            statuses.Add((int)(await _http.Send(method, path.Replace("{id}", Guid.NewGuid().ToString()), body, session)).Status);
        }
        return [.. statuses];
    }

    [Fact]
    public async Task a_missing_unknown_revoked_or_expired_session_gets_401_on_every_organizer_route()
    {
        (await StatusesWith(null)).ShouldAllBe(s => s == 401);
        (await StatusesWith("not-a-session-token")).ShouldAllBe(s => s == 401);

        var expiring = await _http.SignUp();
        await app.Clock.At(DateTimeOffset.UtcNow.AddDays(31), async () => (await StatusesWith(expiring.Session)).ShouldAllBe(s => s == 401));
        (await _http.Get("/v0/auth/me", expiring.Session)).ShouldBe(200);   // back in its lifetime

        var revoked = await _http.SignUp();
        (await _http.Post("/v0/auth/logout", new { }, revoked.Session)).ShouldBe(200);
        (await StatusesWith(revoked.Session)).ShouldAllBe(s => s == 401);
    }

    [Fact]
    public async Task another_organizers_ids_answer_404_and_their_data_never_shows()
    {
        var (owner, slug, eventTypeId) = await _http.Bookable();
        var (_, teamId, teamSlug) = await _http.Team();
        var webhookId = (await _http.Post("/v0/webhooks", new { url = "https://93.184.215.14/hook", events = new[] { "booking.created" }, secret = "owner-secret-1" }, owner.Session))
            .ShouldBe(200).Json["webhook"]!["id"]!.GetValue<string>();
        var timeOffId = (await _http.Post("/v0/me/time-off", new { startDate = "2030-02-01", reason = "Owner away" }, owner.Session))
            .ShouldBe(200).Json["timeOff"]!["id"]!.GetValue<string>();
        var bookingId = (await _http.Post("/v0/bookings", Bookings.Request(owner, slug, "2030-01-07T10:00:00Z"), idempotencyKey: Api.NewKey()))
            .ShouldBe(200).Json["booking"]!["id"]!.GetValue<string>();

        var other = await _http.SignUp();
        (await _http.Patch($"/v0/event-types/{eventTypeId}", new { name = "Mine now" }, other.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/teams/{teamId}/members", other.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/teams/{teamId}/event-types", other.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Post($"/v0/teams/{teamId}/members", new { userId = other.Id, role = "member" }, other.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Post("/v0/team-event-types", new { teamId, name = "X", slug = "x-type", durationMinutes = 30, mode = "round_robin", locationType = "video" }, other.Session))
            .ShouldBeProblem(404, "not-found");
        (await _http.Patch($"/v0/webhooks/{webhookId}", new { isActive = false }, other.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/webhooks/{webhookId}/deliveries", other.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/bookings/{bookingId}/history", other.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Send(HttpMethod.Delete, $"/v0/me/time-off/{timeOffId}", null, other.Session)).ShouldBeProblem(404, "not-found");

        string[] reads = ["/v0/event-types", "/v0/me/availability", "/v0/me/time-off", "/v0/me/bookings", "/v0/teams", "/v0/webhooks",
            "/v0/calendar/sync/status", "/v0/calendar/writeback/status", "/v0/analytics/funnel", "/v0/analytics/team", "/v0/analytics/operator/health"];
        foreach (var read in reads)
        {
            var body = (await _http.Get(read, other.Session)).ShouldBe(200).Body;
            foreach (var secret in new[] { eventTypeId, slug, teamId, teamSlug, webhookId, timeOffId, bookingId, owner.Username, "Owner away", "Pat Lee" })
                body.ShouldNotContain(secret, Case.Insensitive, $"{read} shows {secret}");
        }

        // And the owner still has everything, untouched.
        (await _http.Get("/v0/event-types", owner.Session)).Json["eventTypes"]![0]!["name"]!.GetValue<string>().ShouldBe("Call");
        (await _http.Get("/v0/me/time-off", owner.Session)).Json["timeOff"]!.AsArray().ShouldHaveSingleItem();
    }
}

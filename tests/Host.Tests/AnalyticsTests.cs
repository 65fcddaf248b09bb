using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenCalendly.Host.Analytics;
using OpenCalendly.Projections.Analytics;

namespace OpenCalendly.Host.Tests;

/// <summary>Funnel events, the three analytics routes, and their counters.</summary>
public static class Analytics
{
    public static async Task Record(this HttpClient http, Organizer organizer, string slug, string stage, int times = 1)
    {
        for (var i = 0; i < times; i++)
            (await http.Post("/v0/analytics/funnel/events", new { username = organizer.Username, eventSlug = slug, stage })).ShouldBe(200)
                .Json["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    public static async Task<JsonNode> Book(this HttpClient http, Organizer organizer, string slug, string startsAt) =>
        (await http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;

    /// <summary>
    /// The caller's operator health report once <paramref name="sent"/> of their emails were sent (they go out after the
    /// answers), or as it stands after 30 seconds.
    /// </summary>
    public static async Task<JsonNode> HealthOnceEmailsSent(this HttpClient http, Organizer who, int sent)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var health = (await http.Get("/v0/analytics/operator/health", who.Session)).ShouldBe(200).Json;
            if (health["emailDeliveries"]!["succeeded"]!.GetValue<int>() == sent || DateTime.UtcNow >= deadline) return health;
            await Task.Delay(100);
        }
    }

    public static string Token(this JsonNode booking, string action) => booking["actions"]![action]!["token"]!.GetValue<string>();

    /// <summary>Views, selections, two bookings, a cancel and a reschedule: the funnel test's story.</summary>
    public static async Task<(Organizer Organizer, string Slug, string EventTypeId)> Story(this HttpClient http)
    {
        var (organizer, slug, eventTypeId) = await http.Bookable();
        await http.Record(organizer, slug, "page_view", 3);
        await http.Record(organizer, slug, "slot_selection", 2);
        var first = await http.Book(organizer, slug, "2030-09-02T10:00:00Z");
        var second = await http.Book(organizer, slug, "2030-09-02T11:00:00Z");
        (await http.Post($"/v0/bookings/actions/{first.Token("cancel")}/cancel", new { })).ShouldBe(200);
        (await http.Post($"/v0/bookings/actions/{second.Token("reschedule")}/reschedule", new { startsAt = "2030-09-03T11:00:00Z", timezone = "UTC" },
            idempotencyKey: Api.NewKey())).ShouldBe(200);
        return (organizer, slug, eventTypeId);
    }
}

[Collection(AppCollection.Name)]
public sealed class AnalyticsTests(App app)
{
    private readonly HttpClient _http = app.Http;
    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd");

    [Fact]
    public async Task the_funnel_counts_stages_and_what_became_of_each_booking()
    {
        var (organizer, _, eventTypeId) = await _http.Story();

        var funnel = (await _http.Get("/v0/analytics/funnel", organizer.Session)).ShouldBe(200).Json;
        var summary = funnel["summary"]!;
        summary["pageViews"]!.GetValue<int>().ShouldBe(3);
        summary["slotSelections"]!.GetValue<int>().ShouldBe(2);
        summary["bookingConfirmations"]!.GetValue<int>().ShouldBe(2);   // the reschedule is not a new conversion
        summary["confirmed"]!.GetValue<int>().ShouldBe(0);
        summary["canceled"]!.GetValue<int>().ShouldBe(1);
        summary["rescheduled"]!.GetValue<int>().ShouldBe(1);
        summary["conversionRate"]!.GetValue<double>().ShouldBe(0.6667);

        funnel["range"]!["endDate"]!.GetValue<string>().ShouldBe(Today);
        funnel["range"]!["startDate"]!.GetValue<string>().ShouldBe(DateTime.UtcNow.AddDays(-29).ToString("yyyy-MM-dd"));
        var byEventType = funnel["byEventType"]!.AsArray().Single()!;
        byEventType["eventTypeId"]!.GetValue<string>().ShouldBe(eventTypeId);
        byEventType["eventTypeName"]!.GetValue<string>().ShouldBe("Call");
        var day = funnel["daily"]!.AsArray().Single()!;
        day["date"]!.GetValue<string>().ShouldBe(Today);
        day["pageViews"]!.GetValue<int>().ShouldBe(3);

        // Filtered to the event type, and to a range without today: nothing.
        (await _http.Get($"/v0/analytics/funnel?eventTypeId={eventTypeId}", organizer.Session)).Json["summary"]!["pageViews"]!.GetValue<int>().ShouldBe(3);
        (await _http.Get("/v0/analytics/funnel?startDate=2020-01-01&endDate=2020-01-31", organizer.Session)).Json["summary"]!["pageViews"]!.GetValue<int>().ShouldBe(0);
        (await _http.Get("/v0/analytics/funnel?startDate=2020-01-01&endDate=2020-01-31", organizer.Session)).Json["summary"]!["conversionRate"]!.GetValue<double>().ShouldBe(0);
    }

    [Fact]
    public async Task another_organizers_numbers_and_ids_stay_theirs()
    {
        var (owner, _, eventTypeId) = await _http.Story();
        var stranger = await _http.SignUp();
        (await _http.Get($"/v0/analytics/funnel?eventTypeId={eventTypeId}", stranger.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get("/v0/analytics/funnel?eventTypeId=not-a-guid", stranger.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/analytics/team?teamId={Guid.NewGuid()}", stranger.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/analytics/team?eventTypeId={eventTypeId}", owner.Session)).ShouldBeProblem(404, "not-found");   // not a team event type
        var theirs = (await _http.Get("/v0/analytics/funnel", stranger.Session)).ShouldBe(200).Json;
        theirs["summary"]!["pageViews"]!.GetValue<int>().ShouldBe(0);
        theirs["byEventType"]!.AsArray().ShouldBeEmpty();
        foreach (var route in new[] { "/v0/analytics/funnel", "/v0/analytics/team", "/v0/analytics/operator/health" })
            (await _http.Get(route)).ShouldBeProblem(401, "unauthorized");
    }

    [Theory]
    [InlineData("startDate=2026-01-01&endDate=2026-04-01")]
    [InlineData("startDate=2026-03-02&endDate=2026-03-01")]
    [InlineData("startDate=2026-02-30")]
    [InlineData("endDate=yesterday")]
    [InlineData("startDate=1999-12-31&endDate=2000-01-01")]
    public async Task ranges_over_ninety_days_or_malformed_are_refused(string query)
    {
        var organizer = await _http.SignUp();
        foreach (var route in new[] { "/v0/analytics/funnel", "/v0/analytics/team", "/v0/analytics/operator/health" })
            (await _http.Get($"{route}?{query}", organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Get("/v0/analytics/funnel?startDate=2026-01-01&endDate=2026-03-31", organizer.Session)).ShouldBe(200);   // exactly 90
    }

    [Theory]
    [InlineData("""{"username":"nobody-here","eventSlug":"nothing","stage":"page_view"}""", 404, "not-found")]
    [InlineData("""{"username":"x","eventSlug":"y","stage":"booking_confirmed"}""", 400, "validation")]
    [InlineData("""{"username":"x","eventSlug":"y"}""", 400, "validation")]
    [InlineData("""{"username":"x","eventSlug":"y","stage":7}""", 400, "wrong-type")]
    [InlineData("""{"username":"x","eventSlug":""", 400, "invalid-json")]
    public async Task bad_funnel_events_are_refused(string body, int status, string type) =>
        (await _http.Post("/v0/analytics/funnel/events", body)).ShouldBeProblem(status, type);

    [Fact]
    public async Task concurrent_funnel_events_for_one_page_all_count()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ =>
            _http.Post("/v0/analytics/funnel/events", new { username = organizer.Username, eventSlug = slug, stage = "page_view" })));
        answers.ShouldAllBe(a => (int)a.Status == 200);
        (await _http.Get("/v0/analytics/funnel", organizer.Session)).Json["summary"]!["pageViews"]!.GetValue<int>().ShouldBe(40);
    }

    [Fact]
    public async Task team_analytics_count_round_robin_assignments_per_member_and_collective_bookings()
    {
        var owner = await _http.SignUp();
        var members = new[] { await _http.SignUp(), await _http.SignUp() };
        var rules = Enumerable.Range(0, 7).Select(d => new { dayOfWeek = d, startMinute = 9 * 60, endMinute = 17 * 60 });
        var teamSlug = Organizers.Unique("team");
        var teamId = (await _http.Post("/v0/teams", new { name = "Sales", slug = teamSlug }, owner.Session)).ShouldBe(200).Json["team"]!["id"]!.GetValue<string>();
        foreach (var member in members)
        {
            (await _http.Put("/v0/me/availability/rules", new { rules }, member.Session)).ShouldBe(200);
            await _http.Join(teamId, owner, member);
        }
        async Task<(string Slug, string Id)> TeamType(string mode)
        {
            var slug = Organizers.Unique(mode == "round_robin" ? "demo" : "panel");
            var id = (await _http.Post("/v0/team-event-types", new
            {
                teamId, name = mode == "round_robin" ? "Demo" : "Panel", slug, durationMinutes = 30, mode, locationType = "video",
                requiredMemberUserIds = members.Select(m => m.Id).ToArray(),
            }, owner.Session)).ShouldBe(200).Json["teamEventType"]!["id"]!.GetValue<string>();
            return (slug, id);
        }
        var (rrSlug, rrId) = await TeamType("round_robin");
        var (panelSlug, panelId) = await TeamType("collective");
        async Task BookTeam(string slug, string startsAt) => (await _http.Post("/v0/team-bookings", new
        {
            teamSlug, eventSlug = slug, startsAt, timezone = "UTC", inviteeName = "Pat", inviteeEmail = "pat@example.com",
        }, idempotencyKey: Api.NewKey())).ShouldBe(200);
        foreach (var hour in new[] { 9, 10, 11 }) await BookTeam(rrSlug, $"2030-10-01T{hour:00}:00:00Z");
        await BookTeam(panelSlug, "2030-10-01T14:00:00Z");

        var team = (await _http.Get($"/v0/analytics/team?teamId={teamId}", owner.Session)).ShouldBe(200).Json;
        var assignments = team["roundRobinAssignments"]!.AsArray();
        assignments.Sum(a => a!["assignments"]!.GetValue<int>()).ShouldBe(3);
        assignments.Count.ShouldBe(2);   // both members got turns
        assignments.ShouldAllBe(a => a!["eventTypeId"]!.GetValue<string>() == rrId && a["teamName"]!.GetValue<string>() == "Sales");
        var panel = team["collectiveBookings"]!.AsArray().Single()!;
        panel["eventTypeId"]!.GetValue<string>().ShouldBe(panelId);
        panel["bookings"]!.GetValue<int>().ShouldBe(1);

        var onlyPanel = (await _http.Get($"/v0/analytics/team?eventTypeId={panelId}", owner.Session)).ShouldBe(200).Json;
        onlyPanel["roundRobinAssignments"]!.AsArray().ShouldBeEmpty();
        (await _http.Get($"/v0/analytics/team?teamId={teamId}", members[0].Session)).ShouldBeProblem(404, "not-found");
    }

    [Fact]
    public async Task operator_health_reports_the_callers_email_deliveries_by_type()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var booked = await _http.Book(organizer, slug, "2030-11-04T10:00:00Z");
        (await _http.Post($"/v0/bookings/actions/{booked.Token("cancel")}/cancel", new { })).ShouldBe(200);

        var health = await _http.HealthOnceEmailsSent(organizer, 4);
        health["emailDeliveries"]!["total"]!.GetValue<int>().ShouldBe(4);
        health["emailDeliveries"]!["succeeded"]!.GetValue<int>().ShouldBe(4);
        var types = health["emailDeliveries"]!["byType"]!.AsArray();
        types.Select(t => t!["emailType"]!.GetValue<string>()).ShouldBe(["booking-canceled", "booking-confirmed"]);
        types.ShouldAllBe(t => t!["total"]!.GetValue<int>() == 2);
        health["webhookDeliveries"]!["total"]!.GetValue<int>().ShouldBe(0);
        (await _http.Get("/v0/analytics/operator/health?startDate=2020-01-01&endDate=2020-01-02", organizer.Session)).Json["emailDeliveries"]!["total"]!.GetValue<int>().ShouldBe(0);
    }
}

/// <summary>A database of its own: a rebuild replays every stream, so no other test may write to it meanwhile.</summary>
public sealed class RebuildApp : App
{
    protected override string OwnDatabase => "rebuild";
}

[CollectionDefinition(Name)]
public sealed class RebuildCollection : ICollectionFixture<RebuildApp>
{
    public const string Name = "rebuild";
}

[Collection(RebuildCollection.Name)]
public sealed class AnalyticsRebuildTests(RebuildApp app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task a_rebuild_from_the_event_store_gives_back_exactly_what_the_inline_path_kept()
    {
        var (organizer, _, _) = await _http.Story();
        var (second, secondSlug, _) = await _http.Bookable();
        await _http.Record(second, secondSlug, "page_view", 5);
        await _http.Book(second, secondSlug, "2030-09-05T09:00:00Z");
        string[] routes = ["/v0/analytics/funnel", "/v0/analytics/team", "/v0/analytics/operator/health"];
        async Task<string[]> Answers(Organizer who) => await Task.WhenAll(routes.Select(async r => (await _http.Get(r, who.Session)).ShouldBe(200).Body));
        // The operator report counts email deliveries, which are sent after the answers: wait until all are.
        (await _http.HealthOnceEmailsSent(organizer, 8))["emailDeliveries"]!["succeeded"]!.GetValue<int>().ShouldBe(8);
        (await _http.HealthOnceEmailsSent(second, 2))["emailDeliveries"]!["succeeded"]!.GetValue<int>().ShouldBe(2);
        var before = (await Answers(organizer)).Concat(await Answers(second)).ToArray();

        // Corrupt the read models: counters off, booking buckets gone.
        await using (var connection = new NpgsqlConnection(app.DatabaseConnectionString))
        {
            await connection.OpenAsync();
            await using var corrupt = new NpgsqlCommand(
                $"update opencalendly.{FunnelDailyTable.TableName} set page_views = page_views + 100, confirmed = 7; delete from opencalendly.{FunnelBookingsTable.TableName}", connection);
            await corrupt.ExecuteNonQueryAsync();
        }
        (await _http.Get(routes[0], organizer.Session)).Body.ShouldNotBe(before[0]);

        var report = await AnalyticsRebuild.RunAsync(app.Host.Services.GetRequiredService<IDocumentStore>(), TimeSpan.FromMinutes(2), CancellationToken.None);
        report.Events.ShouldBeGreaterThan(0);

        var after = (await Answers(organizer)).Concat(await Answers(second)).ToArray();
        after.ShouldBe(before);
    }

    [Fact]
    public async Task a_rebuild_while_bookings_and_page_views_keep_arriving_loses_and_doubles_nothing()
    {
        var (organizer, slug, _) = await _http.Bookable();
        await _http.Record(organizer, slug, "page_view", 10);
        var store = app.Host.Services.GetRequiredService<IDocumentStore>();

        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 8; i++)
            {
                await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _http.Record(organizer, slug, "page_view")));
                await _http.Book(organizer, slug, $"2030-10-0{1 + i % 7}T{9 + i / 7:00}:00:00Z");
            }
        });
        await AnalyticsRebuild.RunAsync(store, TimeSpan.FromMinutes(2), CancellationToken.None);
        await writes;

        var summary = (await _http.Get("/v0/analytics/funnel", organizer.Session)).ShouldBe(200).Json["summary"]!;
        summary["pageViews"]!.GetValue<int>().ShouldBe(50);
        summary["bookingConfirmations"]!.GetValue<int>().ShouldBe(8);
        summary["confirmed"]!.GetValue<int>().ShouldBe(8);
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// The reference web app (rohan-patnaik/opencalendly apps/web at 2c2ae94) against this server: the field paths its
/// pages read, asserted one by one (docs/compatibility.md lists every call).
/// </summary>
[Collection(AppCollection.Name)]
public sealed class CompatibilityTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private static string S(JsonNode? node) => node!.GetValue<string>();

    private async Task<(Organizer Owner, Organizer Member, string TeamId, string TeamSlug, string EventSlug)> TeamWithEvent(string mode = "round_robin")
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var member = await _http.Member(teamId, owner);
        var eventSlug = Organizers.Unique("demo");
        (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "Demo", slug = eventSlug, durationMinutes = 30, mode, locationType = "video", requiredMemberUserIds = new[] { member.Id },
        }, owner.Session)).ShouldBe(200);
        return (owner, member, teamId, teamSlug, eventSlug);
    }

    [Fact]
    public async Task team_members_carry_the_nested_user_the_console_reads()
    {
        var (owner, member, teamId, _, _) = await TeamWithEvent();
        var members = (await _http.Get($"/v0/teams/{teamId}/members", owner.Session)).ShouldBe(200).Json["members"]!.AsArray();
        var m = members.Single(x => S(x!["userId"]) == member.Id)!;
        S(m["id"]).ShouldNotBeNullOrEmpty();
        S(m["role"]).ShouldBe("member");
        S(m["teamId"]).ShouldBe(teamId);
        S(m["createdAt"]).ShouldNotBeNullOrEmpty();
        S(m["user"]!["id"]).ShouldBe(member.Id);
        S(m["user"]!["displayName"]).ShouldBe("Org " + member.Username);
        S(m["user"]!["email"]).ShouldBe(member.Email);
        S(m["user"]!["username"]).ShouldBe(member.Username);
        S(m["user"]!["timezone"]).ShouldBe("UTC");
        var teams = (await _http.Get("/v0/teams", owner.Session)).Json["teams"]!.AsArray();
        S(teams.Single()!["ownerUserId"]).ShouldBe(owner.Id);
    }

    [Fact]
    public async Task team_event_types_carry_the_nested_event_type()
    {
        var (owner, member, teamId, _, eventSlug) = await TeamWithEvent();
        var item = (await _http.Get($"/v0/teams/{teamId}/event-types", owner.Session)).ShouldBe(200).Json["eventTypes"]!.AsArray().Single()!;
        S(item["id"]).ShouldNotBeNullOrEmpty();
        S(item["mode"]).ShouldBe("round_robin");
        item["requiredMemberUserIds"]!.AsArray().Select(S).ShouldBe([member.Id]);
        S(item["eventType"]!["name"]).ShouldBe("Demo");
        S(item["eventType"]!["slug"]).ShouldBe(eventSlug);
        item["eventType"]!["durationMinutes"]!.GetValue<int>().ShouldBe(30);
        S(item["eventType"]!["locationType"]).ShouldBe("video");
        item["eventType"]!["isActive"]!.GetValue<bool>().ShouldBeTrue();
        var required = item["members"]!.AsArray().Single()!;
        required["isRequired"]!.GetValue<bool>().ShouldBeTrue();
        S(required["user"]!["displayName"]).ShouldBe("Org " + member.Username);
    }

    [Fact]
    public async Task the_public_team_event_type_has_mode_team_and_members_at_the_top()
    {
        var (_, member, _, teamSlug, eventSlug) = await TeamWithEvent("collective");
        var page = (await _http.Get($"/v0/teams/{teamSlug}/event-types/{eventSlug}")).ShouldBe(200).Json;
        S(page["mode"]).ShouldBe("collective");
        S(page["team"]!["name"]).ShouldBe("Sales");
        S(page["team"]!["slug"]).ShouldBe(teamSlug);
        var m = page["members"]!.AsArray().Single()!;
        S(m["userId"]).ShouldBe(member.Id);
        S(m["role"]).ShouldBe("member");
        S(m["user"]!["displayName"]).ShouldBe("Org " + member.Username);
        page.ToJsonString().ShouldNotContain(member.Email);   // public: no emails
    }

    [Fact]
    public async Task an_action_link_says_what_its_kind_allows_and_a_team_booking_names_its_team()
    {
        var (_, _, _, teamSlug, eventSlug) = await TeamWithEvent();
        var booked = (await _http.Post("/v0/team-bookings", new
        {
            teamSlug, eventSlug, startsAt = "2030-05-06T10:00:00Z", inviteeName = "Pat", inviteeEmail = "pat@example.com",
        }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var cancelLink = booked["actions"]!["cancel"]!;
        S(cancelLink["pageUrl"]).ShouldStartWith("http://opencalendly.test/bookings/actions/");

        var byCancel = (await _http.Get($"/v0/bookings/actions/{S(cancelLink["token"])}")).ShouldBe(200).Json;
        S(byCancel["actionType"]).ShouldBe("cancel");
        byCancel["actions"]!["canCancel"]!.GetValue<bool>().ShouldBeTrue();
        byCancel["actions"]!["canReschedule"]!.GetValue<bool>().ShouldBeFalse();
        S(byCancel["booking"]!["team"]!["teamSlug"]).ShouldBe(teamSlug);
        S(byCancel["booking"]!["team"]!["mode"]).ShouldBe("round_robin");
        byCancel["booking"]!["rescheduledTo"].ShouldBeNull();

        var reschedule = S(booked["actions"]!["reschedule"]!["token"]);
        var byReschedule = (await _http.Get($"/v0/bookings/actions/{reschedule}")).ShouldBe(200).Json;
        byReschedule["actions"]!["canCancel"]!.GetValue<bool>().ShouldBeFalse();
        byReschedule["actions"]!["canReschedule"]!.GetValue<bool>().ShouldBeTrue();

        var moved = (await _http.Post($"/v0/bookings/actions/{reschedule}/reschedule", new { startsAt = "2030-05-06T11:00:00Z" }, idempotencyKey: Api.NewKey()))
            .ShouldBe(200).Json;
        var after = (await _http.Get($"/v0/bookings/actions/{reschedule}")).ShouldBe(200).Json;
        S(after["booking"]!["status"]).ShouldBe("rescheduled");
        S(after["booking"]!["rescheduledTo"]!["id"]).ShouldBe(S(moved["newBooking"]!["id"]));
        S(after["booking"]!["rescheduledTo"]!["startsAt"]).ShouldBe("2030-05-06T11:00:00.000Z");
    }

    [Fact]
    public async Task the_manage_page_is_served_at_the_reference_path_and_emails_link_there()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-09-09T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var id = S(booked["booking"]!["id"]);
        var token = S(booked["actions"]!["cancel"]!["token"]);
        foreach (var path in new[] { $"/bookings/actions/{token}", $"/booking/actions/{token}" })
        {
            var page = await _http.GetAsync(path);
            page.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await page.Content.ReadAsStringAsync()).ShouldContain("/js/manage.js");
        }
        // The email carries the one manage link (both actions on one page).
        var mail = (await Mailbox.WaitFor(app.MailFolder, $"booking-confirmed:{id}:invitee", 1)).ShouldHaveSingleItem();
        mail.TextBody!.ShouldContain($"Reschedule or cancel: http://opencalendly.test/bookings/actions/{S(booked["actions"]!["manage"]!["token"])}");
    }

    [Fact]
    public async Task the_embed_widget_is_served_at_the_reference_route()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var widget = await _http.GetAsync($"/v0/embed/widget.js?username={organizer.Username}&eventSlug={slug}&timezone=Asia/Kolkata&theme=light");
        widget.StatusCode.ShouldBe(HttpStatusCode.OK);
        widget.Content.Headers.ContentType!.MediaType.ShouldBe("application/javascript");
        (await widget.Content.ReadAsStringAsync()).ShouldContain("opencalendly-embed");
        (await _http.Get("/v0/embed/widget.js?username=Bad Name")).ShouldBeProblem(400, "validation");
    }

    [Fact]
    public async Task a_preflight_from_a_configured_origin_is_allowed_and_cached_and_others_are_not()
    {
        async Task<HttpResponseMessage> Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/v0/bookings");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type,idempotency-key,authorization");
            return await _http.SendAsync(request);
        }

        var allowed = await Preflight(App.WebAppOrigin);
        ((int)allowed.StatusCode).ShouldBeInRange(200, 204);
        allowed.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe(App.WebAppOrigin);
        var headers = string.Join(",", allowed.Headers.GetValues("Access-Control-Allow-Headers")).ToLowerInvariant();
        headers.ShouldContain("idempotency-key");
        headers.ShouldContain("authorization");
        headers.ShouldContain("content-type");
        allowed.Headers.GetValues("Access-Control-Max-Age").Single().ShouldBe("3600");

        var refused = await Preflight("https://evil.example");
        refused.Headers.Contains("Access-Control-Allow-Origin").ShouldBeFalse();

        var get = new HttpRequestMessage(HttpMethod.Get, "/v0/teams/nobody/event-types/nothing");
        get.Headers.Add("Origin", App.WebAppOrigin);
        var answer = await _http.SendAsync(get);
        answer.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        answer.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe(App.WebAppOrigin);
    }
}

/// <summary>A page on another port books through the API in Chromium: CORS as a browser enforces it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CrossOriginBrowserTests(BrowserApp app)
{
    [Fact]
    public async Task a_page_on_an_allowed_origin_books_and_one_on_another_origin_is_blocked()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var page = await app.NewPage();
        await page.GotoAsync(app.WebSite + "/");
        const string book = """
            async ([api, body]) => {
              try {
                const response = await fetch(api + "/v0/bookings", {
                  method: "POST",
                  headers: { "Content-Type": "application/json", "Idempotency-Key": crypto.randomUUID() },
                  body: JSON.stringify(body),
                });
                return String(response.status) + " " + (await response.json()).ok;
              } catch (e) { return "blocked"; }
            }
            """;
        var body = new
        {
            username = organizer.Username, eventSlug = slug, startsAt = "2030-10-07T10:00:00Z", inviteeName = "Pat", inviteeEmail = "pat@example.com",
        };
        (await page.EvaluateAsync<string>(book, new object[] { app.BaseUrl, body })).ShouldBe("200 true");

        var stranger = await app.NewPage();
        await stranger.GotoAsync(app.OtherSite + "/");
        (await stranger.EvaluateAsync<string>(book, new object[] { app.BaseUrl, body with { startsAt = "2030-10-07T11:00:00Z" } })).ShouldBe("blocked");
    }
}

/// <summary>The manage link: both actions on one page, and it follows the booking through a reschedule made with it.</summary>
[Collection(AppCollection.Name)]
public sealed class ManageLinkTests(App app)
{
    private readonly HttpClient _http = app.Http;
    private static string S(System.Text.Json.Nodes.JsonNode? node) => node!.GetValue<string>();

    [Fact]
    public async Task one_link_reschedules_then_cancels_the_booking_wherever_it_went()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-05-06T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var manage = S(booked["actions"]!["manage"]!["token"]);
        S(booked["actions"]!["manage"]!["pageUrl"]).ShouldBe($"http://opencalendly.test/bookings/actions/{manage}");

        var view = (await _http.Get($"/v0/bookings/actions/{manage}")).ShouldBe(200).Json;
        S(view["actionType"]).ShouldBe("manage");
        view["actions"]!["canCancel"]!.GetValue<bool>().ShouldBeTrue();
        view["actions"]!["canReschedule"]!.GetValue<bool>().ShouldBeTrue();

        var moved = (await _http.Post($"/v0/bookings/actions/{manage}/reschedule", new { startsAt = "2030-05-06T11:00:00Z" }, idempotencyKey: Api.NewKey()))
            .ShouldBe(200).Json;
        S(moved["actions"]!["manage"]!["token"]).ShouldBe(manage);
        var after = (await _http.Get($"/v0/bookings/actions/{manage}")).ShouldBe(200).Json;
        S(after["booking"]!["id"]).ShouldBe(S(moved["newBooking"]!["id"]));
        S(after["booking"]!["status"]).ShouldBe("confirmed");
        S(after["booking"]!["startsAt"]).ShouldBe("2030-05-06T11:00:00.000Z");
        after["actions"]!["canCancel"]!.GetValue<bool>().ShouldBeTrue();

        // The old booking's own cancel link is spent; the manage link cancels the booking it became.
        (await _http.Post($"/v0/bookings/actions/{S(booked["actions"]!["cancel"]!["token"])}/cancel", new { })).ShouldBeProblem(410, "link-spent");
        (await _http.Post($"/v0/bookings/actions/{manage}/cancel", new { reason = "Plans changed" })).ShouldBe(200);
        var canceled = (await _http.Get($"/v0/bookings/actions/{manage}")).ShouldBe(200).Json;
        S(canceled["booking"]!["status"]).ShouldBe("canceled");
        canceled["actions"]!["canCancel"]!.GetValue<bool>().ShouldBeFalse();
        canceled["actions"]!["canReschedule"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task a_reschedule_through_a_single_action_link_gives_the_new_booking_a_manage_link_of_its_own()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-05-07T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var moved = (await _http.Post($"/v0/bookings/actions/{S(booked["actions"]!["reschedule"]!["token"])}/reschedule", new { startsAt = "2030-05-07T11:00:00Z" },
            idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var fresh = S(moved["actions"]!["manage"]!["token"]);
        fresh.ShouldNotBe(S(booked["actions"]!["manage"]!["token"]));
        S((await _http.Get($"/v0/bookings/actions/{fresh}")).ShouldBe(200).Json["booking"]!["id"]).ShouldBe(S(moved["newBooking"]!["id"]));
        // The first booking's manage link still answers for where it was (the chain made without it ends there).
        var old = (await _http.Get($"/v0/bookings/actions/{S(booked["actions"]!["manage"]!["token"])}")).ShouldBeProblem(410, "link-spent").Json;
        S(old["rescheduledTo"]!["startsAt"]).ShouldBe("2030-05-07T11:00:00.000Z");
    }
}

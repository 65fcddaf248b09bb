using System.Text.Json.Nodes;

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class TeamTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private async Task<string> TeamEventType(Organizer owner, string teamId, string mode, string[]? required = null)
    {
        var slug = Organizers.Unique("demo");
        (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "Demo", slug, durationMinutes = 30, mode, locationType = "video", requiredMemberUserIds = required ?? [],
        }, owner.Session)).ShouldBe(200);
        return slug;
    }

    private async Task<JsonArray> Slots(string teamSlug, string slug, string start, int days = 1) =>
        (await _http.Get($"/v0/teams/{teamSlug}/event-types/{slug}/availability?start={start}&days={days}")).ShouldBe(200).Json["slots"]!.AsArray();

    [Fact]
    public async Task an_owner_creates_a_team_adds_members_and_lists_them()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var member = await _http.Member(teamId, owner);

        var members = (await _http.Get($"/v0/teams/{teamId}/members", owner.Session)).ShouldBe(200).Json["members"]!.AsArray();
        members.Select(m => m!["userId"]!.GetValue<string>()).ShouldBe([owner.Id, member.Id], ignoreOrder: true);
        members.Single(m => m!["userId"]!.GetValue<string>() == owner.Id)!["role"]!.GetValue<string>().ShouldBe("owner");

        (await _http.Post($"/v0/teams/{teamId}/members", new { userId = member.Id, role = "member" }, owner.Session)).ShouldBeProblem(409, "already-member");
        (await _http.Post($"/v0/teams/{teamId}/members", new { userId = Guid.NewGuid(), role = "member" }, owner.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Post($"/v0/teams/{teamId}/members", new { userId = member.Id, role = "boss" }, owner.Session)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/teams", new { name = "Again", slug = teamSlug }, owner.Session)).ShouldBeProblem(409, "duplicate-slug");

        await TeamEventType(owner, teamId, "round_robin");
        var teams = (await _http.Get("/v0/teams", owner.Session)).ShouldBe(200).Json["teams"]!.AsArray();
        teams.Single()!["memberCount"]!.GetValue<int>().ShouldBe(2);
        teams.Single()!["teamEventTypeCount"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task only_the_owner_manages_the_team()
    {
        var (owner, teamId, _) = await _http.Team();
        var member = await _http.Member(teamId, owner);
        var stranger = await _http.SignUp();

        foreach (var outsider in new[] { member, stranger })
        {
            (await _http.Get($"/v0/teams/{teamId}/members", outsider.Session)).ShouldBeProblem(404, "not-found");
            (await _http.Post($"/v0/teams/{teamId}/members", new { userId = outsider.Id, role = "member" }, outsider.Session)).ShouldBeProblem(404, "not-found");
            (await _http.Get($"/v0/teams/{teamId}/event-types", outsider.Session)).ShouldBeProblem(404, "not-found");
            (await _http.Post("/v0/team-event-types", new { teamId, name = "X", slug = "x-x", durationMinutes = 30, mode = "collective", locationType = "video" }, outsider.Session))
                .ShouldBeProblem(404, "not-found");
            (await _http.Get("/v0/teams", outsider.Session)).Json["teams"]!.AsArray().Count.ShouldBe(0);
        }
    }

    [Fact]
    public async Task a_required_member_must_belong_to_the_team()
    {
        var (owner, teamId, _) = await _http.Team();
        var stranger = await _http.SignUp();

        var answer = (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "X", slug = Organizers.Unique("x"), durationMinutes = 30, mode = "collective", locationType = "video",
            requiredMemberUserIds = new[] { stranger.Id },
        }, owner.Session)).ShouldBeProblem(400, "validation");
        answer.Json["errors"]!["requiredMemberUserIds"].ShouldNotBeNull();
    }

    [Fact]
    public async Task round_robin_offers_a_slot_when_any_member_is_free_and_names_who_could_take_it()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var early = await _http.Member(teamId, owner, startMinute: 9 * 60, endMinute: 11 * 60);
        var late = await _http.Member(teamId, owner, startMinute: 10 * 60, endMinute: 12 * 60);
        var slug = await TeamEventType(owner, teamId, "round_robin", [early.Id, late.Id]);

        var page = (await _http.Get($"/v0/teams/{teamSlug}/event-types/{slug}")).ShouldBe(200).Json;
        page["eventType"]!["mode"]!.GetValue<string>().ShouldBe("round_robin");
        page["members"]!.AsArray().Count.ShouldBe(2);

        var slots = await Slots(teamSlug, slug, "2030-04-01T00:00:00Z");
        slots.First()!["startsAt"]!.GetValue<string>().ShouldBe("2030-04-01T09:00:00.000Z");
        slots.Last()!["startsAt"]!.GetValue<string>().ShouldBe("2030-04-01T11:30:00.000Z");
        Who(slots, "2030-04-01T09:00:00.000Z").ShouldBe([early.Id]);
        Who(slots, "2030-04-01T10:00:00.000Z").ShouldBe([early.Id, late.Id], ignoreOrder: true);
        Who(slots, "2030-04-01T11:30:00.000Z").ShouldBe([late.Id]);
    }

    [Fact]
    public async Task collective_offers_only_what_every_required_member_has_free()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var early = await _http.Member(teamId, owner, startMinute: 9 * 60, endMinute: 11 * 60);
        var late = await _http.Member(teamId, owner, startMinute: 10 * 60, endMinute: 12 * 60);
        var slug = await TeamEventType(owner, teamId, "collective", [early.Id, late.Id]);

        var slots = await Slots(teamSlug, slug, "2030-04-01T00:00:00Z");

        slots.Select(s => s!["startsAt"]!.GetValue<string>()).ShouldBe(["2030-04-01T10:00:00.000Z", "2030-04-01T10:15:00.000Z", "2030-04-01T10:30:00.000Z"]);
        slots.ShouldAllBe(s => s!["assignmentUserIds"]!.AsArray().Count == 2);
    }

    [Fact]
    public async Task a_members_personal_booking_takes_them_out_of_the_team_slot()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var busy = await _http.Member(teamId, owner);
        var free = await _http.Member(teamId, owner);
        var slug = await TeamEventType(owner, teamId, "round_robin", [busy.Id, free.Id]);
        var personalSlug = Organizers.Unique("own");
        (await _http.Post("/v0/event-types", new { name = "Own", slug = personalSlug, durationMinutes = 30, locationType = "video" }, busy.Session)).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(busy, personalSlug, "2030-04-02T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        var slots = await Slots(teamSlug, slug, "2030-04-02T00:00:00Z");

        Who(slots, "2030-04-02T10:00:00.000Z").ShouldBe([free.Id]);
        Who(slots, "2030-04-02T11:00:00.000Z").ShouldBe([busy.Id, free.Id], ignoreOrder: true);
    }

    [Theory]
    [InlineData("2030-03-09T00:00:00Z", "2030-03-09T14:00:00.000Z", 17)] // New York on EST: 14:00–22:00Z meets Kolkata 13:30–18:30Z
    [InlineData("2030-03-11T00:00:00Z", "2030-03-11T13:30:00.000Z", 19)] // after the US change, EDT: 13:00–21:00Z
    public async Task members_in_different_zones_meet_in_the_right_hours_across_a_dst_change(string day, string first, int count)
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var newYork = await _http.Member(teamId, owner, "America/New_York", 9 * 60, 17 * 60);
        var kolkata = await _http.Member(teamId, owner, "Asia/Kolkata", 19 * 60, 24 * 60);
        var slug = await TeamEventType(owner, teamId, "collective", [newYork.Id, kolkata.Id]);

        var slots = await Slots(teamSlug, slug, day);

        slots.First()!["startsAt"]!.GetValue<string>().ShouldBe(first);
        slots.Last()!["startsAt"]!.GetValue<string>().ShouldBe(day[..10] + "T18:00:00.000Z");
        slots.Count.ShouldBe(count);
    }

    [Fact]
    public async Task unknown_teams_and_bad_queries_answer_like_personal_pages()
    {
        (await _http.Get("/v0/teams/no-such-team/event-types/x")).ShouldBeProblem(404, "not-found");
        (await _http.Get("/v0/teams/no-such-team/event-types/x/availability")).ShouldBeProblem(404, "not-found");
        (await _http.Get("/v0/teams/no-such-team/event-types/x/availability?timezone=Nowhere/Else")).ShouldBeProblem(400, "validation");
    }

    private static object TeamBooking(string teamSlug, string slug, string startsAt, int i = 0) => new
    {
        teamSlug, eventSlug = slug, startsAt, inviteeName = "Invitee", inviteeEmail = $"invitee{i}@example.com",
    };

    [Fact]
    public async Task round_robin_spreads_bookings_evenly_and_never_assigns_a_busy_member()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var members = new[] { await _http.Member(teamId, owner), await _http.Member(teamId, owner), await _http.Member(teamId, owner) };
        var slug = await TeamEventType(owner, teamId, "round_robin", [.. members.Select(m => m.Id)]);

        var assigned = new List<string>();
        for (var i = 0; i < 9; i++)
        {
            var answer = (await _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, $"2030-05-06T{9 + i / 2:00}:{i % 2 * 30:00}:00Z", i), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
            answer["booking"]!["teamMode"]!.GetValue<string>().ShouldBe("round_robin");
            assigned.Add(answer["booking"]!["assignmentUserIds"]!.AsArray().Single()!.GetValue<string>());
        }
        assigned.GroupBy(id => id).Select(g => g.Count()).ShouldBe([3, 3, 3]);

        // The next in turn has a personal booking at 14:00: the slot goes to someone else.
        var personalSlug = Organizers.Unique("own");
        var nextInTurn = members.Single(m => m.Id == assigned[0]);
        (await _http.Post("/v0/event-types", new { name = "Own", slug = personalSlug, durationMinutes = 30, locationType = "video" }, nextInTurn.Session)).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(nextInTurn, personalSlug, "2030-05-06T14:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        var answerAt14 = (await _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, "2030-05-06T14:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        answerAt14["booking"]!["assignmentUserIds"]![0]!.GetValue<string>().ShouldNotBe(nextInTurn.Id);
    }

    [Fact]
    public async Task forty_concurrent_round_robin_bookings_of_one_slot_confirm_one_per_member()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var members = new[] { await _http.Member(teamId, owner), await _http.Member(teamId, owner), await _http.Member(teamId, owner) };
        var slug = await TeamEventType(owner, teamId, "round_robin", [.. members.Select(m => m.Id)]);

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, "2030-05-07T10:00:00Z", i), idempotencyKey: Api.NewKey())));

        var confirmed = answers.Where(a => (int)a.Status == 200).ToList();
        confirmed.Count.ShouldBe(3);
        confirmed.Select(a => a.Json["booking"]!["assignmentUserIds"]![0]!.GetValue<string>()).ShouldBe([.. members.Select(m => m.Id)], ignoreOrder: true);
        answers.Where(a => (int)a.Status != 200).ShouldAllBe(a => (int)a.Status == 409 && a.Body.Contains("/problems/slot-taken"));
    }

    [Fact]
    public async Task a_retried_team_booking_replays_its_answer_though_its_own_booking_now_holds_the_slot()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var first = await _http.Member(teamId, owner);
        var second = await _http.Member(teamId, owner);
        var slug = await TeamEventType(owner, teamId, "collective", [first.Id, second.Id]);
        var key = Api.NewKey();

        var booked = (await _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, "2030-05-09T10:00:00Z"), idempotencyKey: key)).ShouldBe(200);
        (await _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, "2030-05-09T10:00:00Z"), idempotencyKey: key)).ShouldBe(200).Body.ShouldBe(booked.Body);
        (await _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, "2030-05-09T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBeProblem(409, "slot-taken");
    }

    [Fact]
    public async Task a_member_who_hears_of_a_team_booking_hears_of_its_move_and_its_cancel_too()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var member = await _http.Member(teamId, owner);
        var slug = await TeamEventType(owner, teamId, "collective", [member.Id]);
        (await _http.Post("/v0/webhooks", new
        {
            url = "https://93.184.215.14/member", secret = "member-webhook-secret", events = new[] { "booking.created", "booking.rescheduled", "booking.canceled" },
        }, member.Session)).ShouldBe(200);

        var booked = (await _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, "2030-05-09T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        booked["webhooks"]!["queued"]!.GetValue<int>().ShouldBe(1);
        var moved = (await _http.Post($"/v0/bookings/actions/{booked["actions"]!["manage"]!["token"]!.GetValue<string>()}/reschedule",
            new { startsAt = "2030-05-09T11:00:00Z" }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        moved["webhooks"]!["queued"]!.GetValue<int>().ShouldBe(1);
        var canceled = (await _http.Post($"/v0/bookings/{moved["newBooking"]!["id"]!.GetValue<string>()}/cancel", new { }, member.Session)).ShouldBe(200).Json;
        canceled["webhooks"]!["queued"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task collective_needs_everyone_free_and_reserves_everyone()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var first = await _http.Member(teamId, owner);
        var second = await _http.Member(teamId, owner);
        var slug = await TeamEventType(owner, teamId, "collective", [first.Id, second.Id]);
        var personalSlug = Organizers.Unique("own");
        (await _http.Post("/v0/event-types", new { name = "Own", slug = personalSlug, durationMinutes = 30, locationType = "video" }, second.Session)).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(second, personalSlug, "2030-05-08T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        (await Slots(teamSlug, slug, "2030-05-08T00:00:00Z")).Select(s => s!["startsAt"]!.GetValue<string>()).ShouldNotContain("2030-05-08T10:00:00.000Z");
        (await _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, "2030-05-08T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBeProblem(409, "slot-taken");

        var booked = (await _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, "2030-05-08T11:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        booked["booking"]!["assignmentUserIds"]!.AsArray().Select(id => id!.GetValue<string>()).ShouldBe([first.Id, second.Id], ignoreOrder: true);
        var mails = await Mailbox.WaitFor(app.MailFolder, $"booking-confirmed:{booked["booking"]!["id"]}", 3);
        mails.Select(m => m.To.Mailboxes.Single().Address).ShouldBe(["invitee0@example.com", first.Email, second.Email], ignoreOrder: true);
        foreach (var member in new[] { first, second })
            (await _http.Post("/v0/bookings", Bookings.Request(member, await PersonalType(member), "2030-05-08T11:00:00Z"), idempotencyKey: Api.NewKey()))
                .ShouldBeProblem(409, "slot-taken");

        (await _http.Post($"/v0/bookings/actions/{booked["actions"]!["cancel"]!["token"]}/cancel", new { })).ShouldBe(200);
        (await Slots(teamSlug, slug, "2030-05-08T00:00:00Z")).Select(s => s!["startsAt"]!.GetValue<string>()).ShouldContain("2030-05-08T11:00:00.000Z");
    }

    [Fact]
    public async Task rescheduling_a_team_booking_assigns_the_new_time_afresh()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var morning = await _http.Member(teamId, owner, startMinute: 9 * 60, endMinute: 12 * 60);
        var afternoon = await _http.Member(teamId, owner, startMinute: 13 * 60, endMinute: 17 * 60);
        var slug = await TeamEventType(owner, teamId, "round_robin", [morning.Id, afternoon.Id]);
        var booked = (await _http.Post("/v0/team-bookings", TeamBooking(teamSlug, slug, "2030-05-09T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        booked["booking"]!["assignmentUserIds"]![0]!.GetValue<string>().ShouldBe(morning.Id);

        var moved = (await _http.Post($"/v0/bookings/actions/{booked["actions"]!["reschedule"]!["token"]}/reschedule",
            new { startsAt = "2030-05-09T14:00:00Z" }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;

        moved["newBooking"]!["startsAt"]!.GetValue<string>().ShouldBe("2030-05-09T14:00:00.000Z");
        var slots = await Slots(teamSlug, slug, "2030-05-09T00:00:00Z");
        Who(slots, "2030-05-09T10:00:00.000Z").ShouldBe([morning.Id]);
        slots.Select(s => s!["startsAt"]!.GetValue<string>()).ShouldNotContain("2030-05-09T14:00:00.000Z");
        (await _http.Post("/v0/bookings", Bookings.Request(afternoon, await PersonalType(afternoon), "2030-05-09T14:00:00Z"), idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(409, "slot-taken");
    }

    private async Task<string> PersonalType(Organizer member)
    {
        var slug = Organizers.Unique("p");
        (await _http.Post("/v0/event-types", new { name = "P", slug, durationMinutes = 30, locationType = "video" }, member.Session)).ShouldBe(200);
        return slug;
    }

    private static string[] Who(JsonArray slots, string startsAt) =>
        [.. slots.Single(s => s!["startsAt"]!.GetValue<string>() == startsAt)!["assignmentUserIds"]!.AsArray().Select(id => id!.GetValue<string>())];
}

using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using OpenCalendly.Projections.Teams;

namespace OpenCalendly.Host.Tests;

/// <summary>Round robin with weights and priorities: set by the team's owner, obeyed by every booking, reported beside the counts.</summary>
[Collection(AppCollection.Name)]
public sealed class RoundRobinTests(App app)
{
    private readonly HttpClient _http = app.Http;

    /// <summary>A team of members open around the clock and a 30-minute round-robin event type over them (not over the owner).</summary>
    private async Task<(Organizer Owner, string TeamId, string TeamSlug, Organizer[] Members, string EventTypeId, string Slug)> Team(int members, object? roundRobin = null)
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var joined = new Organizer[members];
        for (var i = 0; i < members; i++) joined[i] = await _http.Member(teamId, owner, startMinute: 0, endMinute: 1440);
        var slug = Organizers.Unique("rr");
        var created = (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "Intro", slug, durationMinutes = 30, mode = "round_robin", locationType = "video", roundRobin,
            requiredMemberUserIds = joined.Select(m => m.Id),
        }, owner.Session)).ShouldBe(200).Json["teamEventType"]!;
        return (owner, teamId, teamSlug, joined, created["id"]!.GetValue<string>(), slug);
    }

    private async Task<Answer> Book(string teamSlug, string slug, DateTimeOffset startsAt, int i = 0) =>
        await _http.Post("/v0/team-bookings", new
        {
            teamSlug, eventSlug = slug, startsAt = startsAt.ToString("yyyy-MM-ddTHH:mm:ssZ"), inviteeName = "Invitee", inviteeEmail = $"invitee{i}@example.com",
        }, idempotencyKey: Api.NewKey());

    private static string Assignee(Answer booked) => booked.ShouldBe(200).Json["booking"]!["assignmentUserIds"]!.AsArray().Single()!.GetValue<string>();

    private static object Weights(string strategy, params (Organizer Member, int Weight, int Priority)[] members) => new
    {
        strategy, members = members.Select(m => new { userId = m.Member.Id, weight = m.Weight, priority = m.Priority }),
    };

    [Fact]
    public async Task weights_of_300_and_100_share_400_bookings_three_to_one_and_the_report_shows_it_beside_the_weights()
    {
        var (owner, teamId, teamSlug, members, eventTypeId, slug) = await Team(2);
        var (heavy, light) = (members[0], members[1]);
        var patched = (await _http.Patch($"/v0/team-event-types/{eventTypeId}", new { roundRobin = Weights("fair", (heavy, 300, 2), (light, 100, 2)) }, owner.Session))
            .ShouldBe(200).Json["teamEventType"]!;
        patched["roundRobin"]!["strategy"]!.GetValue<string>().ShouldBe("fair");
        Weight(patched, heavy).ShouldBe(300);

        // Four at a time, each at its own free slot: 400 half hours from 2031-03-03 on.
        var first = DateTimeOffset.Parse("2031-03-03T00:00:00Z");
        var assignees = new string[400];
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, 400).Select(async i =>
        {
            await gate.WaitAsync();
            try { assignees[i] = Assignee(await Book(teamSlug, slug, first.AddMinutes(30 * i), i)); }
            finally { gate.Release(); }
        }));

        assignees.Count(a => a == heavy.Id).ShouldBeInRange(280, 320);
        assignees.Count(a => a == light.Id).ShouldBeInRange(80, 120);
        var report = (await _http.Get($"/v0/analytics/team?teamId={teamId}", owner.Session)).ShouldBe(200).Json["roundRobinAssignments"]!.AsArray();
        var heavyRow = report.Single(r => r!["memberUserId"]!.GetValue<string>() == heavy.Id)!;
        heavyRow["assignments"]!.GetValue<int>().ShouldBe(assignees.Count(a => a == heavy.Id));
        heavyRow["weight"]!.GetValue<int>().ShouldBe(300);
        heavyRow["weightShare"]!.GetValue<double>().ShouldBe(0.75);
        report.Single(r => r!["memberUserId"]!.GetValue<string>() == light.Id)!["weightShare"]!.GetValue<double>().ShouldBe(0.25);
    }

    [Fact]
    public async Task under_available_the_priority_4_member_takes_every_slot_they_are_free_for()
    {
        var (owner, _, teamSlug, members, eventTypeId, slug) = await Team(3);
        var (star, others) = (members[0], members[1..]);
        (await _http.Patch($"/v0/team-event-types/{eventTypeId}", new { roundRobin = Weights("available", (star, 100, 4)) }, owner.Session)).ShouldBe(200);
        // The star is busy at 12:00 with a booking of their own.
        var own = Organizers.Unique("own");
        (await _http.Post("/v0/event-types", new { name = "Own", slug = own, durationMinutes = 30, locationType = "video" }, star.Session)).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(star, own, "2031-04-01T12:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        var day = DateTimeOffset.Parse("2031-04-01T09:00:00Z");
        for (var i = 0; i < 8; i++)
        {
            var at = day.AddMinutes(30 * i);
            var assignee = Assignee(await Book(teamSlug, slug, at, i));
            if (at.Hour == 12 && at.Minute == 0) assignee.ShouldBeOneOf(others[0].Id, others[1].Id);
            else assignee.ShouldBe(star.Id, $"the star is free at {at:HH:mm}");
        }
    }

    [Fact]
    public async Task a_member_weighted_zero_is_never_assigned_and_publishes_no_time_of_their_own()
    {
        var (owner, _, teamSlug, members, eventTypeId, slug) = await Team(2);
        var (never, always) = (members[0], members[1]);
        (await _http.Patch($"/v0/team-event-types/{eventTypeId}", new { roundRobin = Weights("fair", (never, 0, 2)) }, owner.Session)).ShouldBe(200);

        for (var i = 0; i < 6; i++) Assignee(await Book(teamSlug, slug, DateTimeOffset.Parse("2031-04-02T09:00:00Z").AddHours(i), i)).ShouldBe(always.Id);
        // At a time only the zero-weighted member has free, the team offers nothing.
        var own = Organizers.Unique("own");
        (await _http.Post("/v0/event-types", new { name = "Own", slug = own, durationMinutes = 30, locationType = "video" }, always.Session)).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(always, own, "2031-04-02T18:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        var slots = (await _http.Get($"/v0/teams/{teamSlug}/event-types/{slug}/availability?start=2031-04-02T00:00:00Z&days=1")).ShouldBe(200).Json["slots"]!.AsArray();
        slots.Select(s => s!["startsAt"]!.GetValue<string>()).ShouldNotContain("2031-04-02T18:00:00.000Z");
        slots.SelectMany(s => s!["assignmentUserIds"]!.AsArray()).Select(id => id!.GetValue<string>()).ShouldNotContain(never.Id);
        (await Book(teamSlug, slug, DateTimeOffset.Parse("2031-04-02T18:00:00Z"))).ShouldBeProblem(409, "slot-taken");
    }

    [Fact]
    public async Task moving_a_booking_again_and_again_does_not_count_against_its_holder()
    {
        var (_, _, teamSlug, members, _, slug) = await Team(2);
        var day = DateTimeOffset.Parse("2031-04-03T09:00:00Z");
        var first = (await Book(teamSlug, slug, day)).ShouldBe(200).Json;
        var second = Assignee(await Book(teamSlug, slug, day.AddHours(1)));
        var holder = first["booking"]!["assignmentUserIds"]![0]!.GetValue<string>();
        second.ShouldNotBe(holder);

        // Three moves of the first booking, each assigned afresh: counted without itself, it stays with its holder, who
        // would otherwise look one assignment ahead after every move and lose it to the other member.
        var token = first["actions"]!["manage"]!["token"]!.GetValue<string>();
        for (var i = 1; i <= 3; i++)
        {
            var moved = (await _http.Post($"/v0/bookings/actions/{token}/reschedule", new { startsAt = day.AddHours(1 + i).ToString("yyyy-MM-ddTHH:mm:ssZ") },
                idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
            moved["newBooking"]!["assignmentUserIds"]![0]!.GetValue<string>().ShouldBe(holder, $"move {i}");
        }

        // One booking each: the next two go one to each member, not both to the one who never moved.
        var next = new[] { Assignee(await Book(teamSlug, slug, day.AddHours(6))), Assignee(await Book(teamSlug, slug, day.AddHours(7))) };
        next.ShouldBe([members[0].Id, members[1].Id], ignoreOrder: true);
    }

    [Fact]
    public async Task thirty_concurrent_bookings_of_one_slot_of_a_weighted_team_confirm_one_per_member()
    {
        var (owner, _, teamSlug, members, eventTypeId, slug) = await Team(3);
        (await _http.Patch($"/v0/team-event-types/{eventTypeId}", new
        {
            roundRobin = Weights("fair", (members[0], 1000, 4), (members[1], 1, 0)),
        }, owner.Session)).ShouldBe(200);

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Book(teamSlug, slug, DateTimeOffset.Parse("2031-04-04T10:00:00Z"), i)));

        var confirmed = answers.Where(a => (int)a.Status == 200).Select(Assignee).ToList();
        confirmed.ShouldBe([.. members.Select(m => m.Id)], ignoreOrder: true);
        answers.Where(a => (int)a.Status != 200).ShouldAllBe(a => (int)a.Status == 409 && a.Body.Contains("/problems/slot-taken"));
    }

    [Fact]
    public async Task forty_bookings_at_once_at_forty_slots_are_all_counted_in_the_tally_the_next_assignment_reads()
    {
        var (_, _, teamSlug, members, eventTypeId, slug) = await Team(2);
        var first = DateTimeOffset.Parse("2031-04-05T00:00:00Z");

        var assignees = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i => Assignee(await Book(teamSlug, slug, first.AddMinutes(30 * i), i))));

        // The tally is a document the inline projection reads and rewrites at each commit: two members' bookings
        // committing side by side must not overwrite each other's increment.
        await using var session = app.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var tally = (await session.LoadAsync<TeamAssignments>(Guid.Parse(eventTypeId)))!.Members;
        foreach (var member in members)
            tally[Guid.Parse(member.Id)].Count.ShouldBe(assignees.Count(a => a == member.Id), $"{member.Id}'s tally");
        assignees.Count(a => a == members[0].Id).ShouldBeInRange(14, 26);
    }

    [Fact]
    public async Task the_owner_lists_the_weights_and_bad_or_foreign_changes_are_refused_with_a_reason()
    {
        var (owner, teamId, _, members, eventTypeId, _) = await Team(2, new { strategy = "available" });
        var outsider = await _http.SignUp();

        var listed = (await _http.Get($"/v0/teams/{teamId}/event-types", owner.Session)).ShouldBe(200).Json["eventTypes"]!.AsArray().Single()!;
        listed["roundRobin"]!["strategy"]!.GetValue<string>().ShouldBe("available");
        listed["roundRobin"]!["members"]!.AsArray().Select(m => $"{m!["weight"]}/{m["priority"]}").ShouldBe(["100/2", "100/2"]);

        var path = $"/v0/team-event-types/{eventTypeId}";
        (await _http.Patch(path, new { roundRobin = Weights("fair", (members[0], 1001, 2)) }, owner.Session)).ShouldBeProblem(400, "validation").Body.ShouldContain("roundRobin.members[0].weight");
        (await _http.Patch(path, new { roundRobin = Weights("fair", (members[0], 100, 5)) }, owner.Session)).ShouldBeProblem(400, "validation").Body.ShouldContain("roundRobin.members[0].priority");
        (await _http.Patch(path, new { roundRobin = Weights("fair", (members[0], 100, 2), (members[0], 50, 2)) }, owner.Session)).ShouldBeProblem(400, "validation");
        (await _http.Patch(path, new { roundRobin = new { strategy = "loudest" } }, owner.Session)).Status.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        (await _http.Patch(path, new { roundRobin = Weights("fair", (outsider, 100, 2)) }, owner.Session)).ShouldBeProblem(400, "validation").Body.ShouldContain("not a member");
        (await _http.Patch(path, new { mode = "collective" }, owner.Session)).ShouldBeProblem(400, "validation").Body.ShouldContain("fixed");
        (await _http.Patch(path, new { }, owner.Session)).ShouldBeProblem(400, "empty-update");
        // Another organizer, even a member of the team, finds nothing to change.
        (await _http.Patch(path, new { roundRobin = Weights("fair", (members[0], 0, 2)) }, members[0].Session)).ShouldBeProblem(404, "not-found");
        (await _http.Patch(path, new { roundRobin = Weights("fair", (members[0], 0, 2)) }, outsider.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Patch($"/v0/team-event-types/{Guid.NewGuid()}", new { name = "X" }, owner.Session)).ShouldBeProblem(404, "not-found");

        // A collective event type has no round robin to weigh.
        var collective = (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "All", slug = Organizers.Unique("all"), durationMinutes = 30, mode = "collective", locationType = "video",
        }, owner.Session)).ShouldBe(200).Json["teamEventType"]!;
        collective["roundRobin"].ShouldBeNull();
        (await _http.Patch($"/v0/team-event-types/{collective["id"]}", new { roundRobin = Weights("fair", (members[0], 300, 2)) }, owner.Session))
            .ShouldBeProblem(400, "validation").Body.ShouldContain("collective");

        // A name and the weights change in one request, as one revision each, and the same weights again change nothing.
        var changed = (await _http.Patch(path, new { name = "Intro call", roundRobin = Weights("fair", (members[1], 250, 3)) }, owner.Session)).ShouldBe(200).Json["teamEventType"]!;
        changed["name"]!.GetValue<string>().ShouldBe("Intro call");
        Weight(changed, members[1]).ShouldBe(250);
        Weight(changed, members[0]).ShouldBe(100);
    }

    private static int Weight(JsonNode teamEventType, Organizer member) =>
        teamEventType["roundRobin"]!["members"]!.AsArray().Single(m => m!["userId"]!.GetValue<string>() == member.Id)!["weight"]!.GetValue<int>();
}

using System.Net;
using System.Text.Json.Nodes;

namespace OpenCalendly.Host.Tests;

/// <summary>Notice, window, increment, buffers and caps, through availability, booking and reschedule.</summary>
[Collection(AppCollection.Name)]
public sealed class SchedulingControlsTests(App app)
{
    private readonly HttpClient _http = app.Http;
    private const string Monday = "2030-01-07";

    private async Task<JsonNode> Controls(Organizer organizer, string eventTypeId, object controls) =>
        (await _http.Patch($"/v0/event-types/{eventTypeId}", new { controls }, organizer.Session)).ShouldBe(200).Json["eventType"]!;

    private async Task<string[]> Slots(Organizer organizer, string slug, string start, int days = 1) =>
        [.. (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start={start}&days={days}")).ShouldBe(200)
            .Json["slots"]!.AsArray().Select(s => s!["startsAt"]!.GetValue<string>())];

    private Task<Answer> Book(Organizer organizer, string slug, string startsAt, int i = 0) =>
        _http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt, $"invitee{i}@example.com"), idempotencyKey: Api.NewKey());

    [Fact]
    public async Task controls_default_to_no_limits_and_a_patch_changes_only_what_it_names()
    {
        var (organizer, _, id) = await _http.Bookable();
        var fresh = (await _http.Get("/v0/event-types", organizer.Session)).Json["eventTypes"]![0]!;
        fresh["controls"]!.ToJsonString().ShouldBe(
            """{"minimumNoticeMinutes":0,"bookingWindowDays":null,"slotIncrementMinutes":15,"bufferBeforeMinutes":0,"bufferAfterMinutes":0,"dailyCap":null,"weeklyCap":null}""");
        fresh["reminders"]!.AsArray().ShouldBeEmpty();

        var changed = await Controls(organizer, id, new { dailyCap = 3, minimumNoticeMinutes = 120 });
        changed["controls"]!["dailyCap"]!.GetValue<int>().ShouldBe(3);
        changed["controls"]!["minimumNoticeMinutes"]!.GetValue<int>().ShouldBe(120);

        var cleared = await Controls(organizer, id, new { dailyCap = 0 });
        cleared["controls"]!["dailyCap"].ShouldBeNull();
        cleared["controls"]!["minimumNoticeMinutes"]!.GetValue<int>().ShouldBe(120);

        var reminded = (await _http.Patch($"/v0/event-types/{id}", new
        {
            reminders = new object[] { new { minutesBefore = 60, to = "invitee" }, new { minutesBefore = 1440, to = "both" } },
        }, organizer.Session)).ShouldBe(200).Json["eventType"]!;
        reminded["reminders"]!.ToJsonString().ShouldBe("""[{"minutesBefore":1440,"to":"both"},{"minutesBefore":60,"to":"invitee"}]""");
    }

    [Theory]
    [InlineData("""{"controls":{"slotIncrementMinutes":4}}""", "controls.slotIncrementMinutes")]
    [InlineData("""{"controls":{"slotIncrementMinutes":61}}""", "controls.slotIncrementMinutes")]
    [InlineData("""{"controls":{"minimumNoticeMinutes":-1}}""", "controls.minimumNoticeMinutes")]
    [InlineData("""{"controls":{"bookingWindowDays":731}}""", "controls.bookingWindowDays")]
    [InlineData("""{"controls":{"bufferAfterMinutes":181}}""", "controls.bufferAfterMinutes")]
    [InlineData("""{"controls":{"dailyCap":-2}}""", "controls.dailyCap")]
    [InlineData("""{"reminders":[{"minutesBefore":60,"to":"invitee"},{"minutesBefore":60,"to":"both"}]}""", "reminders[1].minutesBefore")]
    [InlineData("""{"reminders":[{"minutesBefore":4,"to":"invitee"}]}""", "reminders[0].minutesBefore")]
    [InlineData("""{"reminders":[{"minutesBefore":60}]}""", "reminders[0].to")]
    [InlineData("""{"reminders":[{"minutesBefore":10,"to":"both"},{"minutesBefore":20,"to":"both"},{"minutesBefore":30,"to":"both"},{"minutesBefore":40,"to":"both"}]}""", "reminders")]
    public async Task out_of_range_controls_are_refused_field_by_field(string body, string field)
    {
        var (organizer, _, id) = await _http.Bookable();
        var answer = (await _http.Send(HttpMethod.Patch, $"/v0/event-types/{id}", body, organizer.Session)).ShouldBeProblem(400, "validation");
        answer.Json["errors"]![field].ShouldNotBeNull(answer.Body);
    }

    [Fact]
    public async Task the_increment_sets_where_slots_start()
    {
        var (organizer, slug, id) = await _http.Bookable();
        await Controls(organizer, id, new { slotIncrementMinutes = 20 });

        (await Slots(organizer, slug, $"{Monday}T00:00:00Z"))[..4].ShouldBe([
            $"{Monday}T09:00:00.000Z", $"{Monday}T09:20:00.000Z", $"{Monday}T09:40:00.000Z", $"{Monday}T10:00:00.000Z",
        ]);
        (await Book(organizer, slug, $"{Monday}T09:15:00Z")).ShouldBeProblem(409, "slot-taken");
        (await Book(organizer, slug, $"{Monday}T09:20:00Z")).ShouldBe(200);
    }

    [Fact]
    public async Task minimum_notice_and_the_booking_window_bound_what_is_offered_and_booked()
    {
        var (organizer, slug, id) = await _http.Bookable();
        await Controls(organizer, id, new { minimumNoticeMinutes = 3 * 24 * 60, bookingWindowDays = 5 });
        var now = DateTimeOffset.UtcNow;

        var soon = await Slots(organizer, slug, now.ToString("yyyy-MM-ddTHH:mm:ssZ"), days: 10);
        soon.ShouldNotBeEmpty();
        soon.ShouldAllBe(s => DateTimeOffset.Parse(s) >= now.AddDays(3));
        soon.ShouldAllBe(s => DateTimeOffset.Parse(s) < new DateTimeOffset(now.UtcDateTime.Date.AddDays(6), TimeSpan.Zero));
        (await Slots(organizer, slug, $"{Monday}T00:00:00Z")).ShouldBeEmpty();   // years ahead: outside the window

        var tooSoon = now.UtcDateTime.Date.AddDays(1).AddHours(10).ToString("yyyy-MM-ddTHH:mm:ssZ");
        (await Book(organizer, slug, tooSoon)).ShouldBeProblem(409, "slot-taken");
        (await Book(organizer, slug, soon[0])).ShouldBe(200);
    }

    [Fact]
    public async Task event_type_buffers_keep_time_free_around_each_booking()
    {
        var (organizer, slug, id) = await _http.Bookable();
        await Controls(organizer, id, new { bufferAfterMinutes = 30 });
        (await Book(organizer, slug, $"{Monday}T10:00:00Z")).ShouldBe(200);

        var slots = await Slots(organizer, slug, $"{Monday}T00:00:00Z");
        slots.ShouldNotContain($"{Monday}T10:30:00.000Z");   // inside the booking's 30 minutes after
        slots.ShouldNotContain($"{Monday}T09:30:00.000Z");   // its own buffer would reach into the booking
        slots.ShouldContain($"{Monday}T09:00:00.000Z");
        slots.ShouldContain($"{Monday}T11:00:00.000Z");
    }

    [Fact]
    public async Task twenty_concurrent_bookings_against_a_daily_cap_of_three_confirm_exactly_three()
    {
        var (organizer, slug, id) = await _http.Bookable();
        await Controls(organizer, id, new { dailyCap = 3 });

        var starts = Enumerable.Range(0, 20).Select(i => $"{Monday}T{9 + i * 15 / 60:00}:{i * 15 % 60:00}:00Z").ToArray();
        var answers = await Task.WhenAll(starts.Select((s, i) => Book(organizer, slug, s, i)));

        answers.Count(a => a.Status == HttpStatusCode.OK).ShouldBe(3);
        answers.Where(a => a.Status != HttpStatusCode.OK).ShouldAllBe(a => a.Status == HttpStatusCode.Conflict);
        (await Slots(organizer, slug, $"{Monday}T00:00:00Z")).ShouldBeEmpty();
        (await Slots(organizer, slug, "2030-01-08T00:00:00Z")).ShouldNotBeEmpty();

        // A canceled booking no longer counts: the day opens again for one more.
        var token = answers.First(a => a.Status == HttpStatusCode.OK).Json["actions"]!["cancel"]!["token"]!.GetValue<string>();
        (await _http.Post($"/v0/bookings/actions/{token}/cancel", new { })).ShouldBe(200);
        (await Slots(organizer, slug, $"{Monday}T00:00:00Z")).ShouldNotBeEmpty();
        (await Book(organizer, slug, $"{Monday}T16:00:00Z")).ShouldBe(200);
        (await Book(organizer, slug, $"{Monday}T16:30:00Z")).ShouldBeProblem(409, "slot-taken");
    }

    [Fact]
    public async Task a_weekly_cap_counts_monday_to_sunday_in_the_organizers_zone()
    {
        // Auckland is UTC+13 in January: Sunday 13 January 09:00 local is Saturday 20:00Z.
        var (organizer, slug, id) = await _http.Bookable("Pacific/Auckland");
        await Controls(organizer, id, new { weeklyCap = 2 });
        (await Book(organizer, slug, "2030-01-06T20:00:00Z")).ShouldBe(200);   // Monday 7th, 09:00 local
        (await Book(organizer, slug, "2030-01-12T20:00:00Z")).ShouldBe(200);   // Sunday 13th, 09:00 local: same week

        (await Slots(organizer, slug, "2030-01-07T00:00:00Z", days: 6)).ShouldBeEmpty();
        var nextWeek = await Slots(organizer, slug, "2030-01-13T00:00:00Z", days: 2);
        nextWeek.First().ShouldBe("2030-01-13T20:00:00.000Z");   // Monday 14th, 09:00 local
    }

    [Fact]
    public async Task a_reschedule_within_a_full_day_is_allowed_but_onto_it_is_not()
    {
        var (organizer, slug, id) = await _http.Bookable();
        await Controls(organizer, id, new { dailyCap = 1 });
        var monday = (await Book(organizer, slug, $"{Monday}T10:00:00Z")).ShouldBe(200);
        var tuesday = (await Book(organizer, slug, "2030-01-08T10:00:00Z")).ShouldBe(200);

        (await _http.Post($"/v0/bookings/actions/{tuesday.Json["actions"]!["reschedule"]!["token"]!.GetValue<string>()}/reschedule",
            new { startsAt = $"{Monday}T14:00:00Z" }, idempotencyKey: Api.NewKey())).ShouldBeProblem(409, "slot-taken");
        (await _http.Post($"/v0/bookings/actions/{monday.Json["actions"]!["reschedule"]!["token"]!.GetValue<string>()}/reschedule",
            new { startsAt = $"{Monday}T14:00:00Z" }, idempotencyKey: Api.NewKey())).ShouldBe(200);
    }

    [Fact]
    public async Task a_team_cap_holds_across_members_booked_at_once()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        // Each member is free for one hour of their own, so the racing bookings lock different people.
        for (var i = 0; i < 3; i++) await _http.Member(teamId, owner, startMinute: (10 + i) * 60, endMinute: (11 + i) * 60);
        var slug = Organizers.Unique("demo");
        (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "Demo", slug, durationMinutes = 30, mode = "round_robin", locationType = "video", controls = new { dailyCap = 2 },
        }, owner.Session)).ShouldBe(200).Json["teamEventType"]!["controls"]!["dailyCap"]!.GetValue<int>().ShouldBe(2);

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => _http.Post("/v0/team-bookings", new
        {
            teamSlug, eventSlug = slug, startsAt = $"{Monday}T{10 + i / 2}:{i % 2 * 30:00}:00Z", inviteeName = "Invitee", inviteeEmail = $"i{i}@example.com",
        }, idempotencyKey: Api.NewKey())));

        answers.Count(a => a.Status == HttpStatusCode.OK).ShouldBe(2);
        (await _http.Get($"/v0/teams/{teamSlug}/event-types/{slug}/availability?start={Monday}T00:00:00Z&days=1")).Json["slots"]!.AsArray().ShouldBeEmpty();
    }
}

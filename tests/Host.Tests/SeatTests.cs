using System.Text.Json.Nodes;
using Npgsql;

namespace OpenCalendly.Host.Tests;

/// <summary>Group events with seats: every attendee books their own seat; the database still refuses seat N+1 and any double booking.</summary>
[Collection(AppCollection.Name)]
public sealed class SeatTests(App app)
{
    private readonly HttpClient _http = app.Http;

    /// <summary>An organizer open every day 09:00–17:00 UTC with a seated 60-minute event type.</summary>
    private async Task<(Organizer Organizer, string Slug, string EventTypeId)> Seated(int seats, bool showAttendees = false)
    {
        var (organizer, _, _) = await _http.Bookable();
        var slug = Organizers.Unique("class");
        var created = (await _http.Post("/v0/event-types", new
        {
            name = "Class", slug, durationMinutes = 60, locationType = "video", seatsPerSlot = seats, showAttendees,
        }, organizer.Session)).ShouldBe(200).Json["eventType"]!;
        created["seatsPerSlot"]!.GetValue<int>().ShouldBe(seats);
        created["showAttendees"]!.GetValue<bool>().ShouldBe(showAttendees);
        return (organizer, slug, created["id"]!.GetValue<string>());
    }

    private Task<Answer> Book(Organizer organizer, string slug, string startsAt, int i = 0) =>
        _http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt, $"attendee{i}@example.com"), idempotencyKey: Api.NewKey());

    private async Task<JsonArray> Slots(Organizer organizer, string slug, string day) =>
        (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start={day}T00:00:00Z&days=1")).ShouldBe(200).Json["slots"]!.AsArray();

    private static int? TeamSeatsLeft(JsonArray slots, string startsAt) =>
        slots.SingleOrDefault(s => DateTimeOffset.Parse(s!["startsAt"]!.GetValue<string>()) == DateTimeOffset.Parse(startsAt))?["seatsRemaining"]!.GetValue<int>();

    private static int? SeatsLeft(JsonArray slots, string startsAt) =>
        slots.SingleOrDefault(s => s!["startsAt"]!.GetValue<string>() == startsAt)?["seatsRemaining"]!.GetValue<int>();

    [Fact]
    public async Task fifty_invitees_racing_for_a_ten_seat_slot_get_ten_seats_and_forty_refusals()
    {
        var (organizer, slug, eventTypeId) = await Seated(10);

        var answers = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Book(organizer, slug, "2031-05-05T10:00:00Z", i)));

        var confirmed = answers.Where(a => (int)a.Status == 200).Select(a => a.Json["booking"]!).ToList();
        confirmed.Count.ShouldBe(10);
        answers.Where(a => (int)a.Status != 200).ShouldAllBe(a => (int)a.Status == 409 && a.Body.Contains("/problems/slot-taken"));
        confirmed.Select(b => b["id"]!.GetValue<string>()).Distinct().Count().ShouldBe(10);
        confirmed.Select(b => b["seat"]!["number"]!.GetValue<int>()).ShouldBe(Enumerable.Range(1, 10), ignoreOrder: true);

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var seats = new NpgsqlCommand(
            "select count(*), count(distinct seat_no), max(capacity) from opencalendly.seats where event_type_id = $1 and active", connection)
            { Parameters = { new() { Value = Guid.Parse(eventTypeId) } } };
        await using var row = await seats.ExecuteReaderAsync();
        await row.ReadAsync();
        (row.GetInt64(0), row.GetInt64(1), row.GetInt32(2)).ShouldBe((10L, 10L, 10));
        SeatsLeft(await Slots(organizer, slug, "2031-05-05"), "2031-05-05T10:00:00.000Z").ShouldBeNull();
    }

    [Fact]
    public async Task a_filling_slot_stays_offered_with_its_seats_left_and_the_last_cancel_frees_the_time()
    {
        var (organizer, slug, _) = await Seated(3);
        var at = "2031-05-06T10:00:00.000Z";
        SeatsLeft(await Slots(organizer, slug, "2031-05-06"), at).ShouldBe(3);

        var first = (await Book(organizer, slug, at, 1)).ShouldBe(200).Json;
        first["booking"]!["seat"]!["seatsTaken"]!.GetValue<int>().ShouldBe(1);
        var slots = await Slots(organizer, slug, "2031-05-06");
        SeatsLeft(slots, at).ShouldBe(2);
        SeatsLeft(slots, "2031-05-06T10:30:00.000Z").ShouldBeNull("the organizer is busy for everything but the filling slot's seats");
        var second = (await Book(organizer, slug, at, 2)).ShouldBe(200).Json;
        second["booking"]!["seat"]!["seatsTaken"]!.GetValue<int>().ShouldBe(2);
        SeatsLeft(await Slots(organizer, slug, "2031-05-06"), at).ShouldBe(1);

        // A seat canceled frees one seat; the time stays held while a seat is taken.
        (await _http.Post($"/v0/bookings/actions/{first.Token("cancel")}/cancel", new { })).ShouldBe(200);
        SeatsLeft(await Slots(organizer, slug, "2031-05-06"), at).ShouldBe(2);
        var third = (await Book(organizer, slug, at, 3)).ShouldBe(200).Json;
        third["booking"]!["seat"]!["number"]!.GetValue<int>().ShouldBe(1, "the freed seat is taken again");

        (await _http.Post($"/v0/bookings/actions/{second.Token("cancel")}/cancel", new { })).ShouldBe(200);
        (await _http.Post($"/v0/bookings/actions/{third.Token("cancel")}/cancel", new { })).ShouldBe(200);
        slots = await Slots(organizer, slug, "2031-05-06");
        SeatsLeft(slots, at).ShouldBe(3);
        SeatsLeft(slots, "2031-05-06T10:30:00.000Z").ShouldBe(3, "the last seat canceled frees the organizer's time");
    }

    [Fact]
    public async Task a_seated_slot_and_a_one_on_one_booking_of_the_same_organizer_block_each_other()
    {
        var (organizer, seatedSlug, _) = await Seated(5);
        var oneOnOne = Organizers.Unique("call");
        (await _http.Post("/v0/event-types", new { name = "Call", slug = oneOnOne, durationMinutes = 30, locationType = "video" }, organizer.Session)).ShouldBe(200);

        // The first seat holds the organizer's time against every other event type; later seats join it.
        (await Book(organizer, seatedSlug, "2031-05-07T10:00:00Z", 1)).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, oneOnOne, "2031-05-07T10:30:00Z"), idempotencyKey: Api.NewKey())).ShouldBeProblem(409, "slot-taken");
        (await Book(organizer, seatedSlug, "2031-05-07T10:00:00Z", 2)).ShouldBe(200);

        // A one-on-one booking holds the time against a seated slot that has no seat taken yet.
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, oneOnOne, "2031-05-07T14:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        (await Book(organizer, seatedSlug, "2031-05-07T13:30:00Z", 3)).ShouldBeProblem(409, "slot-taken");
        SeatsLeft(await Slots(organizer, seatedSlug, "2031-05-07"), "2031-05-07T13:30:00.000Z").ShouldBeNull();

        // And the database itself refuses a seat's reservation over another booking's, whoever skips the checks.
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var overlap = new NpgsqlCommand(
            "select count(*) from opencalendly.slot_reservations a join opencalendly.slot_reservations b on a.user_id = b.user_id and a.booking_id < b.booking_id " +
            "and a.active and b.active and a.during && b.during where a.user_id = $1", connection) { Parameters = { new() { Value = Guid.Parse(organizer.Id) } } };
        ((long)(await overlap.ExecuteScalarAsync())!).ShouldBe(0);
    }

    [Fact]
    public async Task rescheduling_a_seat_moves_only_that_attendee_to_a_slot_with_a_free_seat()
    {
        var (organizer, slug, _) = await Seated(2);
        var first = (await Book(organizer, slug, "2031-05-08T10:00:00Z", 1)).ShouldBe(200).Json;
        (await Book(organizer, slug, "2031-05-08T10:00:00Z", 2)).ShouldBe(200);
        var elsewhere = (await Book(organizer, slug, "2031-05-08T14:00:00Z", 3)).ShouldBe(200).Json;

        // Into the full 10:00 slot: no seat. Into the 14:00 slot with one seat left: moved, seat 2 of 2.
        (await _http.Post($"/v0/bookings/actions/{elsewhere.Token("reschedule")}/reschedule", new { startsAt = "2031-05-08T10:00:00Z" }, idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(409, "slot-taken");
        var moved = (await _http.Post($"/v0/bookings/actions/{first.Token("reschedule")}/reschedule", new { startsAt = "2031-05-08T14:00:00Z" }, idempotencyKey: Api.NewKey()))
            .ShouldBe(200).Json;
        moved["newBooking"]!["seat"]!["seatsTaken"]!.GetValue<int>().ShouldBe(2);

        var slots = await Slots(organizer, slug, "2031-05-08");
        SeatsLeft(slots, "2031-05-08T10:00:00.000Z").ShouldBe(1, "the attendee who stayed keeps the 10:00 slot's time held");
        SeatsLeft(slots, "2031-05-08T10:30:00.000Z").ShouldBeNull();
        SeatsLeft(slots, "2031-05-08T14:00:00.000Z").ShouldBeNull("both seats at 14:00 are taken");

        // A seat moves on its own to a free time too, and the slot it left keeps the other attendee.
        var again = (await _http.Post($"/v0/bookings/actions/{moved.Token("reschedule")}/reschedule", new { startsAt = "2031-05-08T16:00:00Z" },
            idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        again["newBooking"]!["seat"]!["number"]!.GetValue<int>().ShouldBe(1);
        SeatsLeft(await Slots(organizer, slug, "2031-05-08"), "2031-05-08T14:00:00.000Z").ShouldBe(1);
    }

    [Fact]
    public async Task seats_are_checked_and_changed_with_the_event_type()
    {
        var (organizer, _, eventTypeId) = await Seated(4);
        foreach (var bad in new[] { 0, 1001, -3 })
            (await _http.Patch($"/v0/event-types/{eventTypeId}", new { seatsPerSlot = bad }, organizer.Session))
                .ShouldBeProblem(400, "validation").Body.ShouldContain("seatsPerSlot");
        (await _http.Post("/v0/event-types", new { name = "Big", slug = Organizers.Unique("big"), durationMinutes = 30, locationType = "video", seatsPerSlot = 1001 },
            organizer.Session)).ShouldBeProblem(400, "validation");
        var changed = (await _http.Patch($"/v0/event-types/{eventTypeId}", new { seatsPerSlot = 20, showAttendees = true }, organizer.Session)).ShouldBe(200).Json["eventType"]!;
        changed["seatsPerSlot"]!.GetValue<int>().ShouldBe(20);
        changed["showAttendees"]!.GetValue<bool>().ShouldBeTrue();
        var plain = (await _http.Post("/v0/event-types", new { name = "One", slug = Organizers.Unique("one"), durationMinutes = 30, locationType = "video" },
            organizer.Session)).ShouldBe(200).Json["eventType"]!;
        plain["seatsPerSlot"]!.GetValue<int>().ShouldBe(1);
        plain["showAttendees"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task a_daily_cap_counts_a_seated_slot_once_however_many_seats_it_takes()
    {
        var (organizer, slug, eventTypeId) = await Seated(5);
        (await _http.Patch($"/v0/event-types/{eventTypeId}", new { controls = new { dailyCap = 2 } }, organizer.Session)).ShouldBe(200);
        foreach (var i in new[] { 0, 1, 2 }) (await Book(organizer, slug, "2031-08-04T10:00:00Z", i)).ShouldBe(200);
        // Three seats are one class: a second class that day still fits the cap of two.
        var slots = await Slots(organizer, slug, "2031-08-04");
        SeatsLeft(slots, "2031-08-04T10:00:00.000Z").ShouldBe(2);
        SeatsLeft(slots, "2031-08-04T14:00:00.000Z").ShouldBe(5);
        (await Book(organizer, slug, "2031-08-04T14:00:00Z", 3)).ShouldBe(200);
        // Two classes: the filling ones keep their seats, no third starts.
        slots = await Slots(organizer, slug, "2031-08-04");
        SeatsLeft(slots, "2031-08-04T14:00:00.000Z").ShouldBe(4);
        SeatsLeft(slots, "2031-08-04T15:00:00.000Z").ShouldBeNull();
        (await Book(organizer, slug, "2031-08-04T15:00:00Z", 4)).ShouldBeProblem(409, "slot-taken");
        (await Book(organizer, slug, "2031-08-04T10:00:00Z", 5)).ShouldBe(200);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task an_invitee_sees_their_seat_and_the_other_attendees_only_when_the_organizer_shows_them(bool showAttendees)
    {
        var (organizer, slug, _) = await Seated(4, showAttendees);
        var seats = new List<JsonNode>();
        foreach (var i in new[] { 0, 1, 2 })
            seats.Add((await _http.Post("/v0/bookings", new
            {
                username = organizer.Username, eventSlug = slug, startsAt = "2031-06-02T10:00:00Z", timezone = "UTC",
                inviteeName = $"Guest {i}", inviteeEmail = $"guest{i}@example.com",
            }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json);
        (await _http.Post($"/v0/bookings/actions/{seats[2].Token("cancel")}/cancel", new { })).ShouldBe(200);

        var view = (await _http.Get($"/v0/bookings/actions/{seats[1].Token("manage")}")).ShouldBe(200);
        var seat = view.Json["booking"]!["seat"]!;
        (seat["number"]!.GetValue<int>(), seat["seatsPerSlot"]!.GetValue<int>(), seat["seatsTaken"]!.GetValue<int>()).ShouldBe((2, 4, 2));
        if (showAttendees)
            seat["otherAttendees"]!.AsArray().Select(a => a!.GetValue<string>()).ShouldBe(["Guest 0"]);
        else
        {
            seat["otherAttendees"].ShouldBeNull();
            view.Body.ShouldNotContain("Guest 0");
            view.Body.ShouldNotContain("guest0@example.com");
        }
    }

    [Fact]
    public async Task a_collective_team_class_seats_every_invitee_with_the_whole_pool_and_holds_their_time_until_the_last_seat_goes()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        var members = new[] { await _http.Member(teamId, owner), await _http.Member(teamId, owner) };
        var memberIds = members.Select(m => m.Id).Order().ToArray();
        var eventSlug = Organizers.Unique("workshop");
        (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "Workshop", slug = eventSlug, durationMinutes = 60, mode = "round_robin", locationType = "video", seatsPerSlot = 3,
        }, owner.Session)).ShouldBeProblem(400, "validation").Body.ShouldContain("collective");
        var created = (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "Workshop", slug = eventSlug, durationMinutes = 60, mode = "collective", locationType = "video",
            requiredMemberUserIds = memberIds, seatsPerSlot = 3, showAttendees = true,
        }, owner.Session)).ShouldBe(200).Json["teamEventType"]!;
        created["seatsPerSlot"]!.GetValue<int>().ShouldBe(3);
        var eventTypeId = created["id"]!.GetValue<string>();
        (await _http.Patch($"/v0/team-event-types/{eventTypeId}", new { seatsPerSlot = 0 }, owner.Session)).ShouldBeProblem(400, "validation");

        async Task<JsonArray> TeamSlots(string day) =>
            (await _http.Get($"/v0/teams/{teamSlug}/event-types/{eventSlug}/availability?start={day}T00:00:00Z&days=1")).ShouldBe(200).Json["slots"]!.AsArray();
        Task<Answer> Book(string startsAt, int i) => _http.Post("/v0/team-bookings", new
        {
            teamSlug, eventSlug, startsAt, timezone = "UTC", inviteeName = $"Student {i}", inviteeEmail = $"student{i}@example.com",
        }, idempotencyKey: Api.NewKey());
        const string at = "2031-07-07T10:00:00Z";
        TeamSeatsLeft(await TeamSlots("2031-07-07"), at).ShouldBe(3);

        // Six invitees race for three seats: each seat meets both members.
        var race = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Book(at, i)));
        race.Count(r => r.Status == System.Net.HttpStatusCode.OK).ShouldBe(3);
        race.Where(r => r.Status != System.Net.HttpStatusCode.OK).ShouldAllBe(r => r.Status == System.Net.HttpStatusCode.Conflict);
        var seats = race.Where(r => r.Status == System.Net.HttpStatusCode.OK).Select(r => r.Json).ToList();
        seats.Select(b => b["booking"]!["seat"]!["number"]!.GetValue<int>()).Order().ShouldBe([1, 2, 3]);
        foreach (var seat in seats)
            seat["booking"]!["assignmentUserIds"]!.AsArray().Select(id => id!.GetValue<string>()).Order().ShouldBe(memberIds);
        TeamSeatsLeft(await TeamSlots("2031-07-07"), at).ShouldBeNull();

        // The members' own time is held: a one-on-one with either of them then is refused.
        var (_, memberSlug, _) = await Personal(members[0]);
        (await _http.Post("/v0/bookings", Bookings.Request(members[0], memberSlug, at, "someone@example.com"), idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(409, "slot-taken");

        // One student moves to another slot; the class has a seat again, and the moved seat meets both members there.
        var moved = (await _http.Post($"/v0/bookings/actions/{seats[0].Token("reschedule")}/reschedule",
            new { startsAt = "2031-07-07T14:00:00Z", timezone = "UTC" }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        moved["newBooking"]!["seat"]!["number"]!.GetValue<int>().ShouldBe(1);
        moved["newBooking"]!["assignmentUserIds"]!.AsArray().Count.ShouldBe(2);
        var slots = await TeamSlots("2031-07-07");
        TeamSeatsLeft(slots, at).ShouldBe(1);
        TeamSeatsLeft(slots, "2031-07-07T14:00:00Z").ShouldBe(2);

        // The last two seats of the first class cancel: the members are free then again.
        foreach (var seat in seats.Skip(1))
            (await _http.Post($"/v0/bookings/actions/{seat.Token("cancel")}/cancel", new { })).ShouldBe(200);
        TeamSeatsLeft(await TeamSlots("2031-07-07"), at).ShouldBe(3);
        (await _http.Post("/v0/bookings", Bookings.Request(members[0], memberSlug, at, "someone@example.com"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        TeamSeatsLeft(await TeamSlots("2031-07-07"), at).ShouldBeNull();
    }

    /// <summary>A one-on-one event type of an organizer who is already set up.</summary>
    private async Task<(Organizer Organizer, string Slug, string EventTypeId)> Personal(Organizer organizer)
    {
        var slug = Organizers.Unique("call");
        var created = (await _http.Post("/v0/event-types", new { name = "Call", slug, durationMinutes = 60, locationType = "video" }, organizer.Session))
            .ShouldBe(200).Json["eventType"]!;
        return (organizer, slug, created["id"]!.GetValue<string>());
    }
}

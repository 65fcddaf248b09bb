using System.Text.Json.Nodes;
using Npgsql;

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class LifecycleTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private async Task<(Organizer Organizer, string Slug, JsonNode Booking)> Booked(string startsAt = "2030-09-02T10:00:00Z")
    {
        var (organizer, slug, _) = await _http.Bookable();
        var booking = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        return (organizer, slug, booking);
    }

    private static string Token(JsonNode booking, string action) => booking["actions"]![action]!["token"]!.GetValue<string>();

    private Task<Answer> Reschedule(string token, string startsAt, string? key = null) =>
        _http.Post($"/v0/bookings/actions/{token}/reschedule", new { startsAt, timezone = "America/Chicago" }, idempotencyKey: key ?? Api.NewKey());

    [Fact]
    public async Task an_action_link_shows_the_booking_its_event_type_and_organizer()
    {
        var (organizer, slug, booked) = await Booked();

        var view = (await _http.Get($"/v0/bookings/actions/{Token(booked, "cancel")}")).ShouldBe(200).Json;

        view["actionType"]!.GetValue<string>().ShouldBe("cancel");
        view["booking"]!["id"]!.GetValue<string>().ShouldBe(booked["booking"]!["id"]!.GetValue<string>());
        view["booking"]!["status"]!.GetValue<string>().ShouldBe("confirmed");
        view["booking"]!["timezone"]!.GetValue<string>().ShouldBe("Europe/Paris");
        view["booking"]!["startsAt"]!.GetValue<string>().ShouldBe("2030-09-02T10:00:00.000Z");
        view["eventType"]!["slug"]!.GetValue<string>().ShouldBe(slug);
        view["organizer"]!["username"]!.GetValue<string>().ShouldBe(organizer.Username);
        view["actions"]!["canCancel"]!.GetValue<bool>().ShouldBeTrue();
        (await _http.Get($"/v0/bookings/actions/{Token(booked, "reschedule")}")).Json["actionType"]!.GetValue<string>().ShouldBe("reschedule");
    }

    [Theory]
    [InlineData("definitely-not-a-token-of-ours-000000000000")]
    [InlineData("short")]
    public async Task an_unknown_token_is_not_found(string token)
    {
        (await _http.Get($"/v0/bookings/actions/{token}")).ShouldBeProblem(404, "not-found");
        (await _http.Post($"/v0/bookings/actions/{token}/cancel", new { })).ShouldBeProblem(404, "not-found");
        (await Reschedule(token, "2030-09-02T11:00:00Z")).ShouldBeProblem(404, "not-found");
    }

    [Fact]
    public async Task each_token_does_only_its_own_action()
    {
        var (_, _, booked) = await Booked();

        (await _http.Post($"/v0/bookings/actions/{Token(booked, "reschedule")}/cancel", new { })).ShouldBeProblem(404, "not-found");
        (await Reschedule(Token(booked, "cancel"), "2030-09-02T11:00:00Z")).ShouldBeProblem(404, "not-found");
    }

    [Fact]
    public async Task canceling_frees_the_slot_at_once_and_a_second_cancel_sends_nothing()
    {
        var (organizer, slug, booked) = await Booked();
        var token = Token(booked, "cancel");

        var canceled = (await _http.Post($"/v0/bookings/actions/{token}/cancel", new { reason = "Something came up" })).ShouldBe(200).Json;
        canceled["booking"]!["status"]!.GetValue<string>().ShouldBe("canceled");
        canceled["email"]!["queued"]!.GetValue<int>().ShouldBe(2);

        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-09-02T10:00:00Z", "next@example.com"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        var again = (await _http.Post($"/v0/bookings/actions/{token}/cancel", null)).ShouldBe(200).Json;
        again["booking"]!["status"]!.GetValue<string>().ShouldBe("canceled");
        again["email"]!["queued"]!.GetValue<int>().ShouldBe(0);

        var view = (await _http.Get($"/v0/bookings/actions/{token}")).ShouldBe(200).Json;
        view["booking"]!["status"]!.GetValue<string>().ShouldBe("canceled");
        view["actions"]!["canCancel"]!.GetValue<bool>().ShouldBeFalse();
        view["actions"]!["canReschedule"]!.GetValue<bool>().ShouldBeFalse();
        (await Reschedule(Token(booked, "reschedule"), "2030-09-02T12:00:00Z")).ShouldBeProblem(410, "link-spent");
    }

    [Fact]
    public async Task concurrent_cancels_append_one_cancellation()
    {
        var (_, _, booked) = await Booked();
        var token = Token(booked, "cancel");

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _http.Post($"/v0/bookings/actions/{token}/cancel", new { })));

        answers.ShouldAllBe(a => (int)a.Status == 200);
        answers.Sum(a => a.Json["email"]!["queued"]!.GetValue<int>()).ShouldBe(2);
        (await EventCount(booked, "booking_canceled")).ShouldBe(1);
    }

    [Fact]
    public async Task rescheduling_moves_the_booking_spends_the_old_links_and_issues_new_ones()
    {
        var (organizer, slug, booked) = await Booked();
        var oldId = booked["booking"]!["id"]!.GetValue<string>();

        var moved = (await Reschedule(Token(booked, "reschedule"), "2030-09-03T14:00:00Z")).ShouldBe(200).Json;

        moved["oldBooking"]!["id"]!.GetValue<string>().ShouldBe(oldId);
        moved["oldBooking"]!["status"]!.GetValue<string>().ShouldBe("rescheduled");
        var newBooking = moved["newBooking"]!;
        newBooking["status"]!.GetValue<string>().ShouldBe("confirmed");
        newBooking["rescheduledFromBookingId"]!.GetValue<string>().ShouldBe(oldId);
        newBooking["startsAt"]!.GetValue<string>().ShouldBe("2030-09-03T14:00:00.000Z");
        moved["email"]!["queued"]!.GetValue<int>().ShouldBe(2);

        var gone = (await _http.Get($"/v0/bookings/actions/{Token(booked, "cancel")}")).ShouldBeProblem(410, "link-spent");
        gone.Json["rescheduledTo"]!["id"]!.GetValue<string>().ShouldBe(newBooking["id"]!.GetValue<string>());
        // The reschedule link that moved it still says where it went, and allows nothing more (the reference's replay).
        var replay = (await _http.Get($"/v0/bookings/actions/{Token(booked, "reschedule")}")).ShouldBe(200).Json;
        replay["booking"]!["status"]!.GetValue<string>().ShouldBe("rescheduled");
        replay["booking"]!["rescheduledTo"]!["id"]!.GetValue<string>().ShouldBe(newBooking["id"]!.GetValue<string>());
        replay["actions"]!["canCancel"]!.GetValue<bool>().ShouldBeFalse();
        replay["actions"]!["canReschedule"]!.GetValue<bool>().ShouldBeFalse();
        (await _http.Post($"/v0/bookings/actions/{Token(booked, "cancel")}/cancel", new { })).ShouldBeProblem(410, "link-spent");
        (await Reschedule(Token(booked, "reschedule"), "2030-09-03T15:00:00Z")).ShouldBeProblem(410, "link-spent");

        var view = (await _http.Get($"/v0/bookings/actions/{Token(moved, "cancel")}")).ShouldBe(200).Json;
        view["booking"]!["rescheduledFromBookingId"]!.GetValue<string>().ShouldBe(oldId);
        view["booking"]!["timezone"]!.GetValue<string>().ShouldBe("America/Chicago");

        var slots = (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2030-09-02T00:00:00Z&days=2")).Body;
        slots.ShouldContain("\"startsAt\":\"2030-09-02T10:00:00.000Z\"");
        slots.ShouldNotContain("\"startsAt\":\"2030-09-03T14:00:00.000Z\"");
    }

    [Fact]
    public async Task rescheduling_onto_an_overlapping_time_releases_the_old_reservation_first()
    {
        var (_, _, booked) = await Booked("2030-09-04T10:00:00Z");

        (await Reschedule(Token(booked, "reschedule"), "2030-09-04T10:15:00Z")).ShouldBe(200);
    }

    [Theory]
    [InlineData("2030-09-05T11:00:00Z")] // taken by another booking
    [InlineData("2030-09-05T11:05:00Z")] // not offered
    [InlineData("2030-09-05T20:00:00Z")] // outside the rules
    public async Task rescheduling_onto_a_taken_or_unoffered_slot_keeps_the_original(string target)
    {
        var (organizer, slug, booked) = await Booked("2030-09-05T10:00:00Z");
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-09-05T11:00:00Z", "other@example.com"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        (await Reschedule(Token(booked, "reschedule"), target)).ShouldBeProblem(409, "slot-taken");

        var view = (await _http.Get($"/v0/bookings/actions/{Token(booked, "reschedule")}")).ShouldBe(200).Json;
        view["booking"]!["status"]!.GetValue<string>().ShouldBe("confirmed");
        view["booking"]!["startsAt"]!.GetValue<string>().ShouldBe("2030-09-05T10:00:00.000Z");
        (await Reschedule(Token(booked, "reschedule"), "2030-09-05T12:00:00Z")).ShouldBe(200);
    }

    [Fact]
    public async Task reschedule_is_idempotent_and_requires_a_key()
    {
        var (_, _, booked) = await Booked("2030-09-06T10:00:00Z");
        var token = Token(booked, "reschedule");

        (await _http.Post($"/v0/bookings/actions/{token}/reschedule", new { startsAt = "2030-09-06T13:00:00Z" })).ShouldBeProblem(400, "idempotency-key-required");

        var key = Api.NewKey();
        var first = (await Reschedule(token, "2030-09-06T13:00:00Z", key)).ShouldBe(200);
        var replay = (await Reschedule(token, "2030-09-06T13:00:00Z", key)).ShouldBe(200);
        replay.Body.ShouldBe(first.Body);
        (await Reschedule(token, "2030-09-06T14:00:00Z", key)).ShouldBeProblem(409, "idempotency-mismatch");
    }

    [Fact]
    public async Task links_expire_when_the_booking_starts()
    {
        var start = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(30).AddHours(10), TimeSpan.Zero);
        var (_, _, booked) = await Booked(start.ToString("yyyy-MM-ddTHH:mm:ssZ"));

        await app.Clock.At(start, async () =>
        {
            (await _http.Get($"/v0/bookings/actions/{Token(booked, "cancel")}")).ShouldBeProblem(410, "link-expired");
            (await _http.Post($"/v0/bookings/actions/{Token(booked, "cancel")}/cancel", new { })).ShouldBeProblem(410, "link-expired");
            (await Reschedule(Token(booked, "reschedule"), "2030-09-10T10:00:00Z")).ShouldBeProblem(410, "link-expired");
        });
        await app.Clock.At(start.AddSeconds(-1), async () =>
            (await _http.Get($"/v0/bookings/actions/{Token(booked, "cancel")}")).ShouldBe(200));
    }

    [Fact]
    public async Task links_of_a_booking_years_ahead_expire_a_year_after_they_were_sent()
    {
        var (_, _, booked) = await Booked("2030-09-16T10:00:00Z");
        var expiresAt = DateTimeOffset.Parse(booked["actions"]!["cancel"]!["expiresAt"]!.GetValue<string>());
        (expiresAt - DateTimeOffset.UtcNow).ShouldBeInRange(TimeSpan.FromDays(364), TimeSpan.FromDays(366));
        await app.Clock.At(expiresAt, async () =>
            (await _http.Get($"/v0/bookings/actions/{Token(booked, "cancel")}")).ShouldBeProblem(410, "link-expired"));
    }

    [Fact]
    public async Task confirmation_cancellation_and_reschedule_emails_carry_one_calendar_event()
    {
        var (organizer, _, booked) = await Booked("2030-09-11T10:00:00Z");
        var id = booked["booking"]!["id"]!.GetValue<string>();

        var confirmed = await Mailbox.WaitFor(app.MailFolder, $"booking-confirmed:{id}", 2);
        confirmed.Count.ShouldBe(2);
        var toInvitee = confirmed.Single(m => m.To.ToString().Contains("pat@example.com"));
        toInvitee.TextBody!.ShouldContain("Wednesday 11 September 2030, 12:00–12:30 (Europe/Paris)");
        toInvitee.TextBody!.ShouldContain("http://opencalendly.test/bookings/actions/");
        var toOrganizer = confirmed.Single(m => m.To.ToString().Contains(organizer.Email));
        toOrganizer.TextBody!.ShouldContain("10:00–10:30 (UTC)");
        toOrganizer.TextBody!.ShouldNotContain("/actions/");
        var invite = Mailbox.Invitation(toInvitee);
        invite.Method.ShouldBe("REQUEST");
        var uid = invite.Events.Single().Uid;
        invite.Events.Single().Sequence.ShouldBe(0);
        invite.Events.Single().Organizer!.Value!.ToString().ShouldContain(organizer.Email);
        invite.Events.Single().Attendees.Single().Value!.ToString().ShouldContain("pat@example.com");

        var moved = (await Reschedule(Token(booked, "reschedule"), "2030-09-12T10:00:00Z")).ShouldBe(200).Json;
        var newId = moved["newBooking"]!["id"]!.GetValue<string>();
        var rescheduled = Mailbox.Invitation((await Mailbox.WaitFor(app.MailFolder, $"booking-rescheduled:{newId}", 2))[0]);
        rescheduled.Method.ShouldBe("REQUEST");
        rescheduled.Events.Single().Uid.ShouldBe(uid);
        rescheduled.Events.Single().Sequence.ShouldBe(1);

        (await _http.Post($"/v0/bookings/actions/{Token(moved, "cancel")}/cancel", new { })).ShouldBe(200);
        var canceled = Mailbox.Invitation((await Mailbox.WaitFor(app.MailFolder, $"booking-canceled:{newId}", 2))[0]);
        canceled.Method.ShouldBe("CANCEL");
        canceled.Events.Single().Uid.ShouldBe(uid);
        canceled.Events.Single().Sequence.ShouldBe(2);
        canceled.Events.Single().Status.ShouldBe("CANCELLED");
    }

    private static async Task<long> EventCount(JsonNode booked, string type)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from opencalendly.mt_events where stream_id = $1 and type = $2", connection)
        { Parameters = { new() { Value = Guid.Parse(booked["booking"]!["id"]!.GetValue<string>()) }, new() { Value = type } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class BookingHistoryTests(App app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task a_bookings_history_tells_who_did_what_when_and_only_to_the_people_holding_it()
    {
        var (organizer, slug, _) = await _http.Bookable("Europe/Berlin");
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-01-07T09:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var firstId = booked["booking"]!["id"]!.GetValue<string>();
        var moved = (await _http.Post($"/v0/bookings/actions/{booked["actions"]!["reschedule"]!["token"]}/reschedule",
            new { startsAt = "2030-01-08T10:00:00Z" }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var secondId = moved["newBooking"]!["id"]!.GetValue<string>();
        (await _http.Post($"/v0/bookings/actions/{moved["actions"]!["cancel"]!["token"]}/cancel", new { reason = "Ill" })).ShouldBe(200);
        await Mailbox.WaitFor(app.MailFolder, $"booking-canceled:{secondId}", 2);

        var first = (await _http.Get($"/v0/bookings/{firstId}/history", organizer.Session)).ShouldBe(200);
        var firstTypes = first.Json["history"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()).ToArray();
        firstTypes.Where(t => t.StartsWith("booking.")).ShouldBe(["booking.confirmed", "booking.rescheduled"]);
        first.Json["history"]![0]!["summary"]!.GetValue<string>().ShouldBe("Pat Lee booked Monday 7 January 2030, 10:00–10:30 (Europe/Berlin)");
        first.Json["history"]![0]!["actor"]!["kind"]!.GetValue<string>().ShouldBe("invitee");
        first.Json["booking"]!["rescheduledToBookingId"]!.GetValue<string>().ShouldBe(secondId);

        var second = (await _http.Get($"/v0/bookings/{secondId}/history", organizer.Session)).ShouldBe(200);
        var entries = second.Json["history"]!.AsArray();
        entries.Select(e => e!["type"]!.GetValue<string>()).Where(t => t.StartsWith("booking."))
            .ShouldBe(["booking.confirmed", "booking.rescheduled_from", "booking.canceled"]);
        entries.Single(e => e!["type"]!.GetValue<string>() == "booking.canceled")!["summary"]!.GetValue<string>().ShouldBe("Pat Lee canceled (reason: Ill)");
        entries.ShouldContain(e => e!["type"]!.GetValue<string>() == "email.succeeded" && e["summary"]!.GetValue<string>().Contains("booking-canceled"));
        entries.Select(e => DateTimeOffset.Parse(e!["at"]!.GetValue<string>())).ShouldBeInOrder();
        second.Body.ShouldNotContain("TokenHash", Case.Insensitive);

        var stranger = await _http.SignUp();
        (await _http.Get($"/v0/bookings/{secondId}/history", stranger.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/bookings/{Guid.NewGuid()}/history", organizer.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/bookings/{secondId}/history")).ShouldBe(401);
    }

    [Fact]
    public async Task the_organizer_lists_their_bookings_by_start_with_a_status_filter()
    {
        var (organizer, slug, _) = await _http.Bookable();
        foreach (var start in new[] { "2030-01-08T10:00:00Z", "2030-01-07T10:00:00Z", "2030-01-09T10:00:00Z" })
            (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, start), idempotencyKey: Api.NewKey())).ShouldBe(200);
        var canceled = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-01-10T10:00:00Z"), idempotencyKey: Api.NewKey())).Json;
        (await _http.Post($"/v0/bookings/actions/{canceled["actions"]!["cancel"]!["token"]}/cancel", new { })).ShouldBe(200);

        var all = (await _http.Get("/v0/me/bookings", organizer.Session)).ShouldBe(200).Json["bookings"]!.AsArray();
        all.Select(b => b!["startsAt"]!.GetValue<string>()[..10]).ShouldBe(["2030-01-07", "2030-01-08", "2030-01-09", "2030-01-10"]);
        (await _http.Get("/v0/me/bookings?status=canceled", organizer.Session)).Json["bookings"]!.AsArray().ShouldHaveSingleItem();
        (await _http.Get("/v0/me/bookings?from=2030-01-08T12:00:00Z&limit=1", organizer.Session)).Json["bookings"]!.AsArray()
            .ShouldHaveSingleItem()!["startsAt"]!.GetValue<string>().ShouldStartWith("2030-01-09");
        (await _http.Get("/v0/me/bookings", (await _http.SignUp()).Session)).Json["bookings"]!.AsArray().ShouldBeEmpty();
        (await _http.Get("/v0/me/bookings?status=lost", organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Get("/v0/me/bookings?limit=0", organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Get("/v0/me/bookings?from=yesterday", organizer.Session)).ShouldBeProblem(400, "validation");
    }
}

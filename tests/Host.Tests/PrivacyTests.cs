namespace OpenCalendly.Host.Tests;

/// <summary>What an organizer can take away: everything held about them, in one document, without anyone's secrets.</summary>
[Collection(AppCollection.Name)]
public sealed class PrivacyTests(App app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task an_organizer_exports_everything_held_about_them_without_secrets_or_tokens()
    {
        var (organizer, slug, eventTypeId) = await _http.Bookable(questions: [new { id = "company", label = "Company", required = false }]);
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2031-05-06T10:00:00Z", "sam@example.com",
            answers: new Dictionary<string, string> { ["company"] = "Initech" }), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var bookingId = booked["booking"]!["id"]!.GetValue<string>();
        const string webhookSecret = "export-test-webhook-secret";
        (await _http.Post("/v0/webhooks", new { url = "https://93.184.215.14/hook", events = new[] { "booking.created" }, secret = webhookSecret }, organizer.Session))
            .ShouldBe(200);
        (await _http.Post("/v0/me/time-off", new { startDate = "2031-08-01", endDate = "2031-08-03", reason = "Holiday" }, organizer.Session)).ShouldBe(200);
        var (owner, teamId, _) = await _http.Team();
        await _http.Join(teamId, owner, organizer);
        var apiKey = (await _http.Post("/v0/api-keys", new { name = "Export test", scopes = new[] { "bookings:read" } }, organizer.Session))
            .ShouldBe(200).Json["token"]!.GetValue<string>();

        var export = (await _http.Get("/v0/me/export", organizer.Session)).ShouldBe(200);
        var json = export.Json;
        json["profile"]!["email"]!.GetValue<string>().ShouldBe(organizer.Email);
        json["eventTypes"]!.AsArray().ShouldHaveSingleItem()!["id"]!.GetValue<string>().ShouldBe(eventTypeId);
        json["schedule"]!["rules"]!.AsArray().Count.ShouldBe(7);
        json["schedule"]!["timeOff"]!.AsArray().ShouldHaveSingleItem()!["reason"]!.GetValue<string>().ShouldBe("Holiday");
        var booking = json["bookings"]!.AsArray().ShouldHaveSingleItem()!;
        booking["inviteeEmail"]!.GetValue<string>().ShouldBe("sam@example.com");
        booking["answers"]!.AsArray().ShouldHaveSingleItem()!["value"]!.GetValue<string>().ShouldBe("Initech");
        var team = json["teams"]!.AsArray().ShouldHaveSingleItem()!;
        (team["id"]!.GetValue<string>(), team["owner"]!.GetValue<bool>(), team["status"]!.GetValue<string>()).ShouldBe((teamId, false, "active"));
        json["webhooks"]!.AsArray().ShouldHaveSingleItem();
        json["calendarConnections"]!.AsArray().Count.ShouldBe(2);
        json["apiKeys"]!.AsArray().ShouldHaveSingleItem()!["name"]!.GetValue<string>().ShouldBe("Export test");
        var events = json["events"]!.AsArray().Select(e => (Stream: e!["streamId"]!.GetValue<string>(), Type: e["type"]!.GetValue<string>())).ToList();
        events.ShouldContain((bookingId, "booking_confirmed"));
        events.ShouldContain(e => e.Stream == eventTypeId);

        // Nobody's secrets: not the webhook's signing secret, the API key, or the session.
        export.Body.ShouldNotContain(webhookSecret);
        export.Body.ShouldNotContain(apiKey);
        export.Body.ShouldNotContain(organizer.Session);
        export.Body.ShouldNotContain("tokenHash", Case.Insensitive);

        // The whole account is the signed-in organizer's to take, not an API key's; and only their own.
        (await _http.Get("/v0/me/export", apiKey)).ShouldBeProblem(403, "session-required");
        (await _http.Get("/v0/me/export")).ShouldBe(401);
        var stranger = (await _http.Get("/v0/me/export", (await _http.SignUp()).Session)).ShouldBe(200);
        stranger.Json["bookings"]!.AsArray().ShouldBeEmpty();
        stranger.Body.ShouldNotContain("sam@example.com");
    }
}

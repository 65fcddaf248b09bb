using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// What an organizer can take away (everything held about them, in one document, without anyone's secrets) and what an
/// invitee can have removed (their data, from the event store and everything derived from it).
/// </summary>
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
        json["calendarConnections"]!.AsArray().Count.ShouldBe(3);   // one row per provider, connected or not
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

    private async Task<string> Book(Organizer organizer, string slug, string startsAt, string email, string name, string company, string? key = null)
    {
        var request = new
        {
            username = organizer.Username, eventSlug = slug, startsAt, timezone = "Europe/Paris", inviteeName = name, inviteeEmail = email,
            answers = new Dictionary<string, string> { ["company"] = company },
        };
        return (await _http.Post("/v0/bookings", request, idempotencyKey: key ?? Api.NewKey())).ShouldBe(200).Json["booking"]!["id"]!.GetValue<string>();
    }

    private async Task<JsonNode> WaitUntilErased(Organizer organizer, string bookingId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var booking = (await _http.Get($"/v0/bookings/{bookingId}", organizer.Session)).ShouldBe(200).Json["booking"]!;
            if (booking["inviteeName"]!.GetValue<string>() == "Erased invitee") return booking;
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException($"Booking {bookingId} was not erased: {booking.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    private static readonly object[] CompanyQuestion = [new { id = "company", label = "Company", required = false }];

    [Fact]
    public async Task an_erased_invitee_is_in_no_dump_of_the_database_nor_in_projections_rebuilt_after_and_the_counts_stay()
    {
        var (organizer, slug, eventTypeId) = await _http.Bookable(questions: CompanyQuestion);
        var unique = Guid.NewGuid().ToString("N")[..12];
        var (email, name, company) = ($"casey.{unique}@example.com", $"Casey {unique}", $"Company {unique}");
        (await _http.Post("/v0/webhooks", new { url = "https://93.184.215.14/hook", events = new[] { "booking.created", "booking.canceled" }, secret = "erasure-secret" },
            organizer.Session)).ShouldBe(200);
        var past = await Book(organizer, slug, "2031-01-06T10:00:00Z", email, name, company);
        var future = await Book(organizer, slug, "2031-01-08T10:00:00Z", email, name, company);
        (await _http.Post($"/v0/bookings/{past}/cancel", new { reason = "moved" }, organizer.Session)).ShouldBe(200);   // a reason to erase too
        var againKey = Api.NewKey();
        var again = await Book(organizer, slug, "2031-01-06T11:00:00Z", email, name, company, againKey);
        (await _http.Get("/v0/bookings/" + past, organizer.Session)).Body.ShouldContain(email);
        (await PgDump.TextAsync(app.DatabaseConnectionString)).ShouldContain(email);   // the dump does see them before

        // On 7 January (through the organizer's privacy tool's key: a session would have expired by then) two bookings are
        // behind and one is ahead, which is canceled first, with its email.
        var key = (await _http.Post("/v0/api-keys", new { name = "privacy", scopes = new[] { "bookings:write" } }, organizer.Session)).Json["token"]!.GetValue<string>();
        var erasure = await app.Clock.At(new DateTimeOffset(2031, 1, 7, 12, 0, 0, TimeSpan.Zero), async () =>
            (await _http.Post("/v0/privacy/erase-invitee", new { email = email.ToUpperInvariant() }, key)).ShouldBe(200).Json["erasure"]!);
        (erasure["bookings"]!.GetValue<int>(), erasure["canceled"]!.GetValue<int>(), erasure["status"]!.GetValue<string>()).ShouldBe((3, 1, "pending"));

        var canceledEmail = (await Mailbox.WaitFor(app.MailFolder, $"booking-canceled:{future}:invitee", 1)).ShouldHaveSingleItem();
        canceledEmail.To.ToString().ShouldContain(email);
        foreach (var id in new[] { past, future, again })
        {
            var erased = await WaitUntilErased(organizer, id);
            (erased["inviteeEmail"]!.GetValue<string>(), erased["inviteeTimezone"]!.GetValue<string>()).ShouldBe(("", "UTC"));
            erased["answers"]!.AsArray().ShouldBeEmpty();
            erased["cancelReason"].ShouldBeNull();
        }
        (await _http.Get("/v0/bookings/" + future, organizer.Session)).Json["booking"]!["status"]!.GetValue<string>().ShouldBe("canceled");
        var history = (await _http.Get($"/v0/bookings/{past}/history", organizer.Session)).ShouldBe(200);
        history.Json["history"]![0]!["actor"]!["name"]!.GetValue<string>().ShouldBe("Erased invitee");

        // Not in a dump of the whole database: events, read models, email and webhook records, idempotent answers, the outbox.
        var dump = await PgDump.TextAsync(app.DatabaseConnectionString);
        dump.ShouldContain(organizer.Username);
        dump.ShouldNotContain(email, Case.Insensitive);
        dump.ShouldNotContain(name);
        dump.ShouldNotContain(company);
        var messages = await PgDump.MessageBodiesAsync(app.DatabaseConnectionString);
        messages.ShouldNotContain(email, Case.Insensitive);
        messages.ShouldNotContain(name);

        // The idempotent answer that showed a booking is gone: its key makes a new request now, which finds the time
        // still held by the erased booking.
        (await _http.Post("/v0/bookings", new
        {
            username = organizer.Username, eventSlug = slug, startsAt = "2031-01-06T11:00:00Z", timezone = "Europe/Paris", inviteeName = name,
            inviteeEmail = email, answers = new Dictionary<string, string> { ["company"] = company },
        }, idempotencyKey: againKey)).ShouldBeProblem(409, "slot-taken");

        // Projections rebuilt from the events after the erasure hold no trace either, and the counts stay.
        var counts = (await _http.Get($"/v0/analytics/funnel?eventTypeId={eventTypeId}", organizer.Session)).ShouldBe(200).Json["summary"]!.ToJsonString();
        var store = app.Host.Services.GetRequiredService<IDocumentStore>();
        foreach (var id in new[] { past, future, again }) await store.Advanced.RebuildSingleStreamAsync<Scheduling.Bookings.Booking>(Guid.Parse(id));
        await OpenCalendly.Host.Analytics.AnalyticsRebuild.RunAsync(store, TimeSpan.FromMinutes(2), CancellationToken.None);
        (await _http.Get($"/v0/analytics/funnel?eventTypeId={eventTypeId}", organizer.Session)).Json["summary"]!.ToJsonString().ShouldBe(counts);
        counts.ShouldContain("\"bookingConfirmations\":3");
        var rebuilt = (await _http.Get($"/v0/bookings?eventTypeId={eventTypeId}", organizer.Session)).Body;
        rebuilt.ShouldNotContain(email, Case.Insensitive);
        rebuilt.ShouldContain("Erased invitee");
        (await PgDump.TextAsync(app.DatabaseConnectionString)).ShouldNotContain(email, Case.Insensitive);
    }

    [Fact]
    public async Task an_erasure_touches_only_the_callers_bookings_and_takes_a_session_or_a_key_with_bookings_write()
    {
        var (organizer, slug, _) = await _http.Bookable(questions: CompanyQuestion);
        var (other, otherSlug, _) = await _http.Bookable(questions: CompanyQuestion);
        var email = $"robin.{Guid.NewGuid():N}@example.com";
        var mine = await Book(organizer, slug, "2031-02-03T10:00:00Z", email, "Robin", "Acme");
        var theirs = await Book(other, otherSlug, "2031-02-03T10:00:00Z", email, "Robin", "Acme");

        var reader = (await _http.Post("/v0/api-keys", new { name = "reader", scopes = new[] { "bookings:read" } }, organizer.Session)).Json["token"]!.GetValue<string>();
        var writer = (await _http.Post("/v0/api-keys", new { name = "privacy desk", scopes = new[] { "bookings:write" } }, organizer.Session)).Json["token"]!.GetValue<string>();
        (await _http.Post("/v0/privacy/erase-invitee", new { email }, reader)).ShouldBeProblem(403, "insufficient-scope");
        (await _http.Post("/v0/privacy/erase-invitee", new { email = "not an email" }, writer)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/privacy/erase-invitee", new { }, writer)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/privacy/erase-invitee", new { email = "nobody-booked-this@example.com" }, writer)).ShouldBe(200)
            .Json["erasure"]!["status"]!.GetValue<string>().ShouldBe("nothing-to-erase");

        var erasure = (await _http.Post("/v0/privacy/erase-invitee", new { email }, writer)).ShouldBe(200).Json["erasure"]!;
        (erasure["bookings"]!.GetValue<int>(), erasure["canceled"]!.GetValue<int>()).ShouldBe((1, 1));
        await WaitUntilErased(organizer, mine);
        var kept = (await _http.Get($"/v0/bookings/{theirs}", other.Session)).ShouldBe(200).Json["booking"]!;
        (kept["inviteeEmail"]!.GetValue<string>(), kept["status"]!.GetValue<string>()).ShouldBe((email, "confirmed"));
        var canceled = (await _http.Get($"/v0/bookings/{mine}/history", organizer.Session)).Json["history"]!.AsArray()
            .Single(h => h!["type"]!.GetValue<string>() == "booking.canceled")!;
        canceled["actor"]!["name"]!.GetValue<string>().ShouldBe("privacy desk");
    }

    [Fact]
    public async Task a_deleted_organizer_is_gone_from_the_pages_their_invitees_are_told_and_their_username_waits_thirty_days()
    {
        var (organizer, slug, _) = await _http.Bookable(questions: CompanyQuestion);
        var unique = Guid.NewGuid().ToString("N")[..12];
        var invitee = $"jo.{unique}@example.com";
        var ahead = await Book(organizer, slug, "2031-03-04T10:00:00Z", invitee, $"Jo {unique}", $"Firm {unique}");
        var (owner, teamId, _) = await _http.Team();
        await _http.Join(teamId, owner, organizer);
        var key = (await _http.Post("/v0/api-keys", new { name = "k", scopes = new[] { "event-types:read" } }, organizer.Session)).Json["token"]!.GetValue<string>();
        (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}")).ShouldBe(200);

        (await _http.Send(HttpMethod.Delete, "/v0/me", null, key)).ShouldBeProblem(403, "session-required");
        var deleted = (await _http.Send(HttpMethod.Delete, "/v0/me", null, organizer.Session)).ShouldBe(200).Json;
        deleted["bookingsCanceled"]!.GetValue<int>().ShouldBe(1);

        // Their invitee hears of the cancellation; then the invitee's data goes too.
        (await Mailbox.WaitFor(app.MailFolder, $"booking-canceled:{ahead}:invitee", 1)).ShouldHaveSingleItem().To.ToString().ShouldContain(invitee);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await PgDump.TextAsync(app.DatabaseConnectionString)) is var dump && (dump.Contains(invitee) || dump.Contains(organizer.Email)))
        {
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException("The deleted organizer's or their invitee's email is still in the database.");
            await Task.Delay(500);
        }

        // Gone from the pages, signed out everywhere, keys revoked, out of the team.
        (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}")).ShouldBeProblem(404, "not-found");
        (await _http.Get("/v0/auth/me", organizer.Session)).ShouldBe(401);
        (await _http.Get("/v0/event-types", key)).ShouldBe(401);
        (await _http.Get($"/v0/teams/{teamId}/members", owner.Session)).Body.ShouldNotContain(organizer.Id);

        // The username is not anyone else's for thirty days.
        var link = (await _http.Post("/v0/auth/magic-link", new { email = $"new-{unique}@example.com", username = organizer.Username, displayName = "New", timezone = "UTC" }))
            .ShouldBe(200).Json["magicLinkToken"]!.GetValue<string>();
        (await _http.Post("/v0/auth/verify", new { token = link })).ShouldBeProblem(409, "username-taken");
        await app.Clock.At(DateTimeOffset.UtcNow.AddDays(31), async () =>
        {
            var later = (await _http.Post("/v0/auth/magic-link", new { email = $"new-{unique}@example.com", username = organizer.Username, displayName = "New", timezone = "UTC" }))
                .ShouldBe(200).Json["magicLinkToken"]!.GetValue<string>();
            (await _http.Post("/v0/auth/verify", new { token = later })).ShouldBe(200);
        });
    }
}

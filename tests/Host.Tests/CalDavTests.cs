using System.Text.Json.Nodes;
using Ical.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OpenCalendly.Host.Tests;

/// <summary>A host with its own Radicale, which it may reach on 127.0.0.1 (<c>Calendar:CalDav:AllowPrivateServers</c>, off by default).</summary>
public sealed class CalDavApp : App
{
    public Radicale Radicale { get; } = new();

    protected override string OwnDatabase => "caldav";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Calendar:CalDav:AllowPrivateServers"] = "true",
        ["Calendar:Writeback:RetryBaseSeconds"] = "3600",
        ["Calendar:Writeback:MaxAttempts"] = "2",
    };

    public override async Task InitializeAsync()
    {
        await Radicale.InitializeAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Radicale.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class CalDavCollection : ICollectionFixture<CalDavApp>
{
    public const string Name = "caldav";
}

/// <summary>CalDAV as a third calendar provider, against a real server: an organizer connects with an app password, chooses calendars, and bookings land in them.</summary>
[Collection(CalDavCollection.Name)]
public sealed class CalDavTests(CalDavApp app)
{
    private readonly HttpClient _http = app.Http;
    private Radicale Radicale => app.Radicale;


    private static string Event(string uid, string times, string extra = "") =>
        $"BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20300101T000000Z\n{times}\nSUMMARY:{uid}\n{extra}\nEND:VEVENT".Replace("\n\n", "\n");

    private async Task<JsonNode> Connect(Organizer organizer, string user, string password) =>
        (await _http.Post("/v0/calendar/caldav/connect", new { serverUrl = Radicale.BaseUrl.AbsoluteUri, username = user, password }, organizer.Session))
        .ShouldBe(200).Json["connection"]!;

    private async Task<JsonNode> Sync(Organizer organizer, string start, string end) =>
        (await _http.Post("/v0/calendar/caldav/sync", new { start, end }, organizer.Session)).ShouldBe(200).Json;


    private static JsonNode Calendar(JsonNode connection, Uri url) =>
        connection["calendars"]!.AsArray().Single(c => c!["url"]!.GetValue<string>() == url.AbsoluteUri)!;

    [Fact]
    public async Task an_organizers_caldav_events_block_time_across_daylight_saving_and_all_day_but_transparent_ones_and_unchosen_calendars_do_not()
    {
        var (organizer, slug, _) = await _http.Bookable(timezone: "Europe/Berlin");
        var (user, password) = await Radicale.NewUserAsync();
        var work = await Radicale.MakeCalendarAsync("Work", user: user);
        var personal = await Radicale.MakeCalendarAsync("Personal", user: user);
        await Radicale.MakeCalendarAsync("Tasks", "VTODO", user);
        // Mondays 09:00–10:00 in Berlin: 08:00Z in winter time, 07:00Z from 31 March 2030.
        await Radicale.PutEventAsync(work, "weekly", OpenCalendly.Host.Tests.Radicale.BerlinZone + "\n" + Event("weekly",
            "DTSTART;TZID=Europe/Berlin:20300318T090000\nDTEND;TZID=Europe/Berlin:20300318T100000", "RRULE:FREQ=WEEKLY;BYDAY=MO"), user);
        await Radicale.PutEventAsync(work, "focus", Event("focus", "DTSTART:20300326T120000Z\nDTEND:20300326T130000Z", "TRANSP:TRANSPARENT"), user);
        await Radicale.PutEventAsync(work, "offsite", Event("offsite", "DTSTART;VALUE=DATE:20300327\nDTEND;VALUE=DATE:20300328"), user);
        await Radicale.PutEventAsync(personal, "dentist", Event("dentist", "DTSTART:20300328T100000Z\nDTEND:20300328T110000Z"), user);
        // Began four days before the window asked about, and still runs into it.
        await Radicale.PutEventAsync(personal, "conference", Event("conference", "DTSTART:20300315T080000Z\nDTEND:20300319T120000Z"), user);

        var connection = await Connect(organizer, user, password);
        connection["provider"]!.GetValue<string>().ShouldBe("caldav");
        connection["connected"]!.GetValue<bool>().ShouldBeTrue();
        connection["externalEmail"]!.GetValue<string>().ShouldBe(user);
        connection["calendars"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Order().ShouldBe(["Personal", "Work"]);   // no task list
        connection["calendars"]!.AsArray().ShouldAllBe(c => c!["busy"]!.GetValue<bool>());
        connection["calendars"]!.AsArray().Count(c => c!["receivesBookings"]!.GetValue<bool>()).ShouldBe(1);

        var synced = await Sync(organizer, "2030-03-19T00:00:00Z", "2030-04-05T00:00:00Z");
        synced["busyWindowCount"]!.GetValue<int>().ShouldBe(5);   // the conference, Mondays 25 March and 1 April, the offsite, the dentist
        synced["unchanged"]!.GetValue<bool>().ShouldBeFalse();

        var tuesday = await _http.SlotStarts(organizer, slug, "2030-03-19");
        tuesday.ShouldNotContain("2030-03-19T08:00:00.000Z");   // 09:00 Berlin, during the conference
        tuesday.ShouldContain("2030-03-19T12:00:00.000Z");      // it ended at 12:00Z
        var winter = await _http.SlotStarts(organizer, slug, "2030-03-25");
        winter.ShouldNotContain("2030-03-25T08:00:00.000Z");
        winter.ShouldContain("2030-03-25T09:00:00.000Z");
        var summer = await _http.SlotStarts(organizer, slug, "2030-04-01");
        summer.ShouldNotContain("2030-04-01T07:00:00.000Z");
        summer.ShouldContain("2030-04-01T08:00:00.000Z");
        (await _http.SlotStarts(organizer, slug, "2030-03-26")).ShouldContain("2030-03-26T12:00:00.000Z");   // transparent
        (await _http.SlotStarts(organizer, slug, "2030-03-27")).ShouldBeEmpty();                             // Berlin's whole day
        (await _http.SlotStarts(organizer, slug, "2030-03-28")).ShouldNotContain("2030-03-28T10:00:00.000Z");
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-03-28T10:00:00Z"), idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(409, "slot-taken");

        // Only the personal calendar blocks time from now on.
        var chosen = (await _http.Patch("/v0/calendar/caldav", new { busyCalendars = new[] { personal.AbsoluteUri } }, organizer.Session)).ShouldBe(200).Json["connection"]!;
        Calendar(chosen, work)["busy"]!.GetValue<bool>().ShouldBeFalse();
        Calendar(chosen, personal)["busy"]!.GetValue<bool>().ShouldBeTrue();
        (await Sync(organizer, "2030-03-19T00:00:00Z", "2030-04-05T00:00:00Z"))["busyWindowCount"]!.GetValue<int>().ShouldBe(2);
        (await _http.SlotStarts(organizer, slug, "2030-03-25")).ShouldContain("2030-03-25T08:00:00.000Z");
        (await _http.SlotStarts(organizer, slug, "2030-03-28")).ShouldNotContain("2030-03-28T10:00:00.000Z");
        var status = (await _http.Get("/v0/calendar/sync/status", organizer.Session)).ShouldBe(200).Json["providers"]!.AsArray()
            .Single(p => p!["provider"]!.GetValue<string>() == "caldav")!;
        Calendar(status, work)["busy"]!.GetValue<bool>().ShouldBeFalse();
        status["lastError"].ShouldBeNull();

        (await _http.Post("/v0/calendar/caldav/disconnect", new { }, organizer.Session)).ShouldBe(200);
        (await _http.SlotStarts(organizer, slug, "2030-03-28")).ShouldContain("2030-03-28T10:00:00.000Z");
    }

    [Fact]
    public async Task a_sync_that_finds_every_calendar_unchanged_keeps_what_it_has_and_a_change_is_read_at_the_next()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var (user, password) = await Radicale.NewUserAsync();
        var calendar = await Radicale.MakeCalendarAsync("Work", user: user);
        await Radicale.PutEventAsync(calendar, "standup", Event("standup", "DTSTART:20300402T090000Z\nDTEND:20300402T093000Z"), user);
        await Connect(organizer, user, password);

        var first = await Sync(organizer, "2030-04-01T00:00:00Z", "2030-04-10T00:00:00Z");
        first["unchanged"]!.GetValue<bool>().ShouldBeFalse();
        first["busyWindowCount"]!.GetValue<int>().ShouldBe(1);
        var again = await Sync(organizer, "2030-04-01T00:00:00Z", "2030-04-10T00:00:00Z");
        again["unchanged"]!.GetValue<bool>().ShouldBeTrue();
        again["busyWindowCount"]!.GetValue<int>().ShouldBe(1);
        (await _http.SlotStarts(organizer, slug, "2030-04-02")).ShouldNotContain("2030-04-02T09:00:00.000Z");

        await Radicale.PutEventAsync(calendar, "review", Event("review", "DTSTART:20300403T140000Z\nDTEND:20300403T150000Z"), user);
        var changed = await Sync(organizer, "2030-04-01T00:00:00Z", "2030-04-10T00:00:00Z");
        changed["unchanged"]!.GetValue<bool>().ShouldBeFalse();
        changed["busyWindowCount"]!.GetValue<int>().ShouldBe(2);
        (await _http.SlotStarts(organizer, slug, "2030-04-03")).ShouldNotContain("2030-04-03T14:00:00.000Z");
        (await _http.SlotStarts(organizer, slug, "2030-04-02")).ShouldNotContain("2030-04-02T09:00:00.000Z");
    }

    [Fact]
    public async Task a_calendar_deleted_at_the_server_stops_blocking_and_leaves_the_status_and_one_added_there_is_listed_unchosen()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var (user, password) = await Radicale.NewUserAsync();
        var work = await Radicale.MakeCalendarAsync("Work", user: user);
        var home = await Radicale.MakeCalendarAsync("Home", user: user);
        await Radicale.PutEventAsync(work, "standup", Event("standup", "DTSTART:20300402T090000Z\nDTEND:20300402T093000Z"), user);
        await Radicale.PutEventAsync(home, "dentist", Event("dentist", "DTSTART:20300403T100000Z\nDTEND:20300403T110000Z"), user);
        await Connect(organizer, user, password);
        (await Sync(organizer, "2030-04-01T00:00:00Z", "2030-04-10T00:00:00Z"))["busyWindowCount"]!.GetValue<int>().ShouldBe(2);
        (await _http.SlotStarts(organizer, slug, "2030-04-02")).ShouldNotContain("2030-04-02T09:00:00.000Z");

        // In the calendar app: the work calendar is deleted, a shared one appears.
        await Radicale.DeleteCalendarAsync(work, user);
        var shared = await Radicale.MakeCalendarAsync("Shared", user: user);
        (await Sync(organizer, "2030-04-01T00:00:00Z", "2030-04-10T00:00:00Z"))["busyWindowCount"]!.GetValue<int>().ShouldBe(1);
        (await _http.SlotStarts(organizer, slug, "2030-04-02")).ShouldContain("2030-04-02T09:00:00.000Z");
        (await _http.SlotStarts(organizer, slug, "2030-04-03")).ShouldNotContain("2030-04-03T10:00:00.000Z");

        var status = (await _http.Get("/v0/calendar/sync/status", organizer.Session)).ShouldBe(200).Json["providers"]!.AsArray()
            .Single(p => p!["provider"]!.GetValue<string>() == "caldav")!;
        status["calendars"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).Order().ShouldBe(["Home", "Shared"]);
        Calendar(status, home)["busy"]!.GetValue<bool>().ShouldBeTrue();
        Calendar(status, shared)["busy"]!.GetValue<bool>().ShouldBeFalse();   // listed, for the organizer to choose
        status["calendars"]!.AsArray().Count(c => c!["receivesBookings"]!.GetValue<bool>()).ShouldBe(1);
        status["lastError"].ShouldBeNull();

        // Chosen, the shared calendar blocks time like the others.
        await Radicale.PutEventAsync(shared, "review", Event("review", "DTSTART:20300404T140000Z\nDTEND:20300404T150000Z"), user);
        (await _http.Patch("/v0/calendar/caldav", new { busyCalendars = new[] { home.AbsoluteUri, shared.AbsoluteUri } }, organizer.Session)).ShouldBe(200);
        (await Sync(organizer, "2030-04-01T00:00:00Z", "2030-04-10T00:00:00Z"))["busyWindowCount"]!.GetValue<int>().ShouldBe(2);
        (await _http.SlotStarts(organizer, slug, "2030-04-04")).ShouldNotContain("2030-04-04T14:00:00.000Z");
    }

    [Fact]
    public async Task bookings_are_written_to_the_chosen_calendar_moved_even_after_an_edit_in_the_calendar_app_and_deleted()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var (user, password) = await Radicale.NewUserAsync();
        var work = await Radicale.MakeCalendarAsync("Work", user: user);
        var bookings = await Radicale.MakeCalendarAsync("Bookings", user: user);
        await Connect(organizer, user, password);
        var chosen = (await _http.Patch("/v0/calendar/caldav", new { writeCalendar = bookings.AbsoluteUri }, organizer.Session)).ShouldBe(200).Json["connection"]!;
        Calendar(chosen, bookings)["receivesBookings"]!.GetValue<bool>().ShouldBeTrue();
        Calendar(chosen, work)["receivesBookings"]!.GetValue<bool>().ShouldBeFalse();

        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-04-02T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        booked["calendarWriteback"]!["queued"]!.GetValue<int>().ShouldBe(1);
        var created = await WaitForObjects(bookings, user, objects => objects.Count == 1);
        var (path, ics) = created.Single();
        var written = Ical.Net.Calendar.Load(ics)!.Events.Single();
        written.DtStart!.AsUtc.ShouldBe(new DateTime(2030, 4, 2, 10, 0, 0, DateTimeKind.Utc));
        written.Summary!.ShouldContain("Pat Lee");
        written.Attendees.Single().Value!.ToString().ShouldBe("mailto:pat@example.com");
        written.Attendees.Single().Parameters.Get("SCHEDULE-AGENT").ShouldBe("CLIENT");   // the server sends no invitation of its own
        (await Radicale.ObjectsAsync(work, user)).ShouldBeEmpty();

        // The organizer adds a note to the event in their calendar app: its version changes under us.
        await Radicale.PutEventAsync(bookings, Uri.UnescapeDataString(path.Split('/')[^1])[..^".ics".Length],
            Event(written.Uid!, "DTSTART:20300402T100000Z\nDTEND:20300402T103000Z", "DESCRIPTION:bring the slides"), user);

        var moved = (await _http.Post($"/v0/bookings/actions/{booked["actions"]!["reschedule"]!["token"]!.GetValue<string>()}/reschedule",
            new { startsAt = "2030-04-03T14:00:00Z", timezone = "UTC" }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var after = await WaitForObjects(bookings, user, objects => objects.Count == 1 && objects[0].Ics.Contains("DTSTART:20300403T140000Z"));
        after.Single().Path.ShouldBe(path);   // the same event, moved
        Ical.Net.Calendar.Load(after.Single().Ics)!.Events.Single().Uid.ShouldBe(written.Uid);

        (await _http.Post($"/v0/bookings/actions/{moved["actions"]!["cancel"]!["token"]!.GetValue<string>()}/cancel", new { reason = "no longer needed" }))
            .ShouldBe(200);
        (await WaitForObjects(bookings, user, objects => objects.Count == 0)).ShouldBeEmpty();

        var summary = (await _http.Get("/v0/calendar/writeback/status", organizer.Session)).ShouldBe(200).Json["summary"]!;
        summary["succeeded"]!.GetValue<int>().ShouldBe(3);
        summary["failed"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task a_wrong_password_an_unreachable_or_failing_server_and_bad_choices_get_a_reason_and_a_revoked_password_asks_for_a_reconnect()
    {
        var (organizer, _, _) = await _http.Bookable();
        var (user, password) = await Radicale.NewUserAsync();
        var calendar = await Radicale.MakeCalendarAsync("Work", user: user);

        var refused = (await _http.Post("/v0/calendar/caldav/connect", new { serverUrl = Radicale.BaseUrl.AbsoluteUri, username = user, password = "wrong" }, organizer.Session))
            .ShouldBeProblem(400, "caldav-refused");
        refused.Body.ShouldContain("401");
        refused.Body.ShouldContain("app-specific password");
        refused.Body.ShouldNotContain("wrong");
        (await _http.Post("/v0/calendar/caldav/connect", new { serverUrl = $"http://127.0.0.1:{LocalServer.FreePort()}/", username = user, password }, organizer.Session))
            .ShouldBeProblem(502, "provider-failed");
        var (broken, brokenUrl) = await LocalServer.StartAsync(server => server.MapMethods("/{**path}", ["PROPFIND", "REPORT"], () => Results.StatusCode(500)));
        await using (broken)
            (await _http.Post("/v0/calendar/caldav/connect", new { serverUrl = brokenUrl + "/", username = user, password }, organizer.Session))
                .ShouldBeProblem(502, "provider-failed").Body.ShouldContain("500");
        (await _http.Post("/v0/calendar/caldav/connect", new { serverUrl = "caldav.example.com", username = user, password }, organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/calendar/caldav/connect", new { serverUrl = Radicale.BaseUrl.AbsoluteUri, username = user }, organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/calendar/caldav/connect/start", new { redirectUri = "https://app.example.com/cb" }, organizer.Session)).ShouldBeProblem(400, "calendar-not-oauth");
        (await _http.Patch("/v0/calendar/caldav", new { writeCalendar = calendar.AbsoluteUri }, organizer.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Post("/v0/calendar/caldav/connect", new { serverUrl = Radicale.BaseUrl.AbsoluteUri, username = user, password })).ShouldBeProblem(401, "unauthorized");

        await Connect(organizer, user, password);
        (await _http.Patch("/v0/calendar/caldav", new { busyCalendars = new[] { "https://elsewhere.example.com/cal/" } }, organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Patch("/v0/calendar/caldav", new { }, organizer.Session)).ShouldBeProblem(400, "validation");

        // The app password is revoked at the server: the sync says so and stops until the organizer connects again.
        await Radicale.ChangePasswordAsync(user, "a-new-password");
        (await _http.Post("/v0/calendar/caldav/sync", new { start = "2030-04-01T00:00:00Z", end = "2030-04-10T00:00:00Z" }, organizer.Session))
            .ShouldBeProblem(502, "provider-failed");
        var row = (await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json["providers"]!.AsArray().Single(p => p!["provider"]!.GetValue<string>() == "caldav")!;
        row["needsReconnect"]!.GetValue<bool>().ShouldBeTrue();
        row["lastError"]!.GetValue<string>().ShouldContain("connect the calendar again");
        row["nextSyncAt"].ShouldBeNull();
        (await Connect(organizer, user, "a-new-password"))["needsReconnect"]!.GetValue<bool>().ShouldBeFalse();
        (await Sync(organizer, "2030-04-01T00:00:00Z", "2030-04-10T00:00:00Z"))["ok"]!.GetValue<bool>().ShouldBeTrue();
    }

    [Fact]
    public async Task a_deleted_organizers_bookings_leave_their_caldav_calendar_and_neither_the_password_nor_the_account_stays_in_the_database()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var (user, password) = await Radicale.NewUserAsync();
        var calendar = await Radicale.MakeCalendarAsync("Work", user: user);
        await Connect(organizer, user, password);
        await Sync(organizer, "2030-04-01T00:00:00Z", "2030-04-10T00:00:00Z");
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-04-02T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        await WaitForObjects(calendar, user, objects => objects.Count == 1);
        var dump = await PgDump.TextAsync(app.DatabaseConnectionString);
        dump.ShouldContain(user);            // the account, its calendar and event URLs are held...
        dump.ShouldNotContain(password);     // ...the password only sealed

        (await _http.Send(HttpMethod.Delete, "/v0/me", null, organizer.Session)).ShouldBe(200);
        (await WaitForObjects(calendar, user, objects => objects.Count == 0)).ShouldBeEmpty();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await PgDump.TextAsync(app.DatabaseConnectionString)).Contains(user, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException("The deleted organizer's CalDAV account is still in the database.");
            await Task.Delay(500);
        }
    }

    private async Task<IReadOnlyList<(string Path, string Ics)>> WaitForObjects(Uri calendar, string user, Func<IReadOnlyList<(string Path, string Ics)>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var objects = await Radicale.ObjectsAsync(calendar, user);
            if (done(objects)) return objects;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Radicale holds {objects.Count} objects: {string.Join("\n---\n", objects.Select(o => o.Ics))}");
            await Task.Delay(100);
        }
    }
}

/// <summary>The SSRF guard on a host with its default settings: a CalDAV server must be public.</summary>
[Collection(AppCollection.Name)]
public sealed class CalDavServerGuardTests(App app)
{
    [Theory]
    [InlineData("http://127.0.0.1:5232/")]
    [InlineData("https://169.254.169.254/latest/meta-data/")]
    [InlineData("https://10.0.0.7/dav/")]
    [InlineData("https://localhost/dav/")]
    [InlineData("https://[::1]/dav/")]
    [InlineData("https://user:pass@caldav.example.com/")]
    [InlineData("file:///etc/passwd")]
    public async Task a_caldav_server_on_a_private_network_or_not_over_https_is_refused_before_anything_is_sent(string serverUrl)
    {
        var organizer = await app.Http.SignUp();
        var refused = (await app.Http.Post("/v0/calendar/caldav/connect", new { serverUrl, username = "alice", password = "app-password" }, organizer.Session))
            .ShouldBeProblem(400, "validation");
        refused.Json["errors"]!["serverUrl"].ShouldNotBeNull();
    }
}

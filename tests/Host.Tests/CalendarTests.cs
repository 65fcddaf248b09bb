using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenCalendly.Host.Calendars;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Tests;

/// <summary>A host wired to local Google and Microsoft stand-ins; writeback retries wait an hour unless a test moves the clock.</summary>
public sealed class CalendarApp : App
{
    public GoogleStandIn Google { get; private set; } = null!;
    public GraphStandIn Graph { get; private set; } = null!;

    public const int MaxAttempts = 2;

    protected override string OwnDatabase => "calendars";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Calendar:Google:ClientId"] = OAuthStandIn.ClientId,
        ["Calendar:Google:ClientSecret"] = OAuthStandIn.ClientSecret,
        ["Calendar:Google:AuthorizeUrl"] = Google.AuthorizeUrl,
        ["Calendar:Google:TokenUrl"] = Google.BaseUrl + "/token",
        ["Calendar:Google:ApiBaseUrl"] = Google.BaseUrl,
        ["Calendar:Microsoft:ClientId"] = OAuthStandIn.ClientId,
        ["Calendar:Microsoft:ClientSecret"] = OAuthStandIn.ClientSecret,
        ["Calendar:Microsoft:AuthorityUrl"] = Graph.AuthorityUrl,
        ["Calendar:Microsoft:GraphBaseUrl"] = Graph.GraphBaseUrl,
        ["Calendar:SyncInterval"] = "00:00:03",
        ["Calendar:Writeback:RetryBaseSeconds"] = "3600",
        ["Calendar:Writeback:MaxAttempts"] = MaxAttempts.ToString(),
    };

    public OAuthStandIn StandIn(string provider) => provider == "google" ? Google : Graph;

    public override async Task InitializeAsync()
    {
        Google = await GoogleStandIn.StartAsync();
        Graph = await GraphStandIn.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Google.DisposeAsync();
        await Graph.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class CalendarCollection : ICollectionFixture<CalendarApp>
{
    public const string Name = "calendars";
}

[Collection(CalendarCollection.Name)]
public sealed class CalendarTests(CalendarApp app) : IDisposable
{
    private readonly HttpClient _http = app.Http;
    private const string Callback = "https://app.opencalendly.test/settings/calendar/callback";

    public void Dispose()
    {
        app.Google.FailApiWith = null;
        app.Graph.FailApiWith = null;
        app.Graph.ScheduleZone = "UTC";
        app.Clock.Offset = TimeSpan.Zero;
    }

    private async Task<StandInAccount> Connect(Organizer organizer, string provider)
    {
        var standIn = app.StandIn(provider);
        var started = (await _http.Post($"/v0/calendar/{provider}/connect/start", new { redirectUri = Callback }, organizer.Session)).ShouldBe(200).Json;
        var authUrl = started["authUrl"]!.GetValue<string>();
        var state = started["state"]!.GetValue<string>();
        authUrl.ShouldContain($"client_id={OAuthStandIn.ClientId}");
        authUrl.ShouldContain("state=" + Uri.EscapeDataString(state));
        authUrl.ShouldStartWith(provider == "google" ? app.Google.AuthorizeUrl : app.Graph.AuthorityUrl + "/oauth2/v2.0/authorize");

        var account = standIn.NewAccount();
        var code = standIn.IssueCodeFor(account, authUrl);
        var completed = (await _http.Post($"/v0/calendar/{provider}/connect/complete", new { code, state, redirectUri = Callback }, organizer.Session)).ShouldBe(200).Json;
        completed["connection"]!["connected"]!.GetValue<bool>().ShouldBeTrue();
        completed["connection"]!["externalEmail"]!.GetValue<string>().ShouldBe(account.Email);
        return account;
    }

    [Fact]
    public async Task a_dump_of_the_database_after_a_full_scenario_holds_no_secret_in_the_clear()
    {
        // Sign-up by magic link, a webhook with its secret, a booking with its action links, a Google connection and a sync.
        var username = Organizers.Unique("dump");
        var link = (await _http.Post("/v0/auth/magic-link", new { email = $"{username}@example.com", username, displayName = "Dump", timezone = "UTC" }))
            .ShouldBe(200).Json["magicLinkToken"]!.GetValue<string>();
        var session = (await _http.Post("/v0/auth/verify", new { token = link })).ShouldBe(200).Json["sessionToken"]!.GetValue<string>();
        var organizer = new Organizer((await _http.Get("/v0/auth/me", session)).Json["user"]!["id"]!.GetValue<string>(), username, $"{username}@example.com", session);
        var rules = Enumerable.Range(0, 7).Select(day => new { dayOfWeek = day, startMinute = 540, endMinute = 1020 });
        (await _http.Put("/v0/me/availability/rules", new { rules }, session)).ShouldBe(200);
        var slug = Organizers.Unique("call");
        (await _http.Post("/v0/event-types", new { name = "Call", slug, durationMinutes = 30, locationType = "video" }, session)).ShouldBe(200);
        var webhookSecret = "whsec-" + Guid.NewGuid().ToString("N");
        (await _http.Post("/v0/webhooks", new { url = "https://93.184.215.14/in", events = new[] { "booking.created" }, secret = webhookSecret }, session)).ShouldBe(200);
        await Connect(organizer, "google");
        (await _http.Post("/v0/calendar/google/sync", new { }, session)).ShouldBe(200);
        var booked = await Book(organizer, slug, "2030-01-07T10:00:00Z");
        var actionTokens = new[] { "cancel", "reschedule" }.Select(a => booked["actions"]![a]!["token"]!.GetValue<string>()).ToArray();
        tokensAreRandom256Bits([link, session, .. actionTokens]);

        var text = await PgDump.TextAsync(app.DatabaseConnectionString);

        text.ShouldContain(username);                               // the dump is real and holds this scenario
        text.ShouldContain(OpenCalendly.Host.Identity.Tokens.Hash(session));   // the session is kept, as a hash
        text.ShouldContain(OpenCalendly.Host.Identity.Tokens.Hash(actionTokens[0]));
        string[] secrets = [link, session, webhookSecret, .. actionTokens, .. app.Google.IssuedTokens];
        secrets.Length.ShouldBeGreaterThan(6);
        foreach (var secret in secrets) text.ShouldNotContain(secret);

        static void tokensAreRandom256Bits(string[] tokens)
        {
            foreach (var token in tokens)
            {
                var bytes = Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + "=");
                bytes.Length.ShouldBeGreaterThanOrEqualTo(32, token);
            }
            tokens.Distinct().Count().ShouldBe(tokens.Length);
        }
    }

    private static JsonNode? Row(JsonNode status, string provider) =>
        status["providers"]!.AsArray().Single(p => p!["provider"]!.GetValue<string>() == provider);


    private async Task<JsonNode> Book(Organizer organizer, string slug, string startsAt) =>
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;

    [Fact]
    public async Task status_lists_both_providers_even_when_nothing_is_connected()
    {
        var organizer = await _http.SignUp();
        var status = (await _http.Get("/v0/calendar/sync/status", organizer.Session)).ShouldBe(200).Json;
        foreach (var provider in new[] { "google", "microsoft" })
        {
            var row = Row(status, provider)!;
            row["connected"]!.GetValue<bool>().ShouldBeFalse();
            row["lastSyncedAt"].ShouldBeNull();
            row["lastError"].ShouldBeNull();
        }
        (await _http.Get("/v0/calendar/sync/status")).ShouldBeProblem(401, "unauthorized");
    }

    [Theory]
    [InlineData("google")]
    [InlineData("microsoft")]
    public async Task synced_busy_time_hides_slots_and_refuses_bookings_until_disconnected(string provider)
    {
        var (organizer, slug, _) = await _http.Bookable();
        var account = await Connect(organizer, provider);
        lock (account.Busy) account.Busy.Add((DateTimeOffset.Parse("2030-03-05T10:00:00Z"), DateTimeOffset.Parse("2030-03-05T11:00:00Z")));

        var synced = (await _http.Post($"/v0/calendar/{provider}/sync", new { start = "2030-03-01T00:00:00Z", end = "2030-03-10T00:00:00Z" }, organizer.Session)).ShouldBe(200).Json;
        synced["busyWindowCount"]!.GetValue<int>().ShouldBe(1);
        synced["syncWindow"]!["startIso"]!.GetValue<string>().ShouldBe("2030-03-01T00:00:00.000Z");
        synced["syncWindow"]!["endIso"]!.GetValue<string>().ShouldBe("2030-03-10T00:00:00.000Z");
        synced["nextSyncAt"].ShouldNotBeNull();

        var slots = await _http.SlotStarts(organizer, slug, "2030-03-05");
        slots.ShouldContain("2030-03-05T09:30:00.000Z");
        slots.ShouldNotContain("2030-03-05T09:45:00.000Z");   // 09:45–10:15 runs into the busy hour
        slots.ShouldNotContain("2030-03-05T10:00:00.000Z");
        slots.ShouldNotContain("2030-03-05T10:30:00.000Z");
        slots.ShouldContain("2030-03-05T11:00:00.000Z");
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-03-05T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBeProblem(409, "slot-taken");

        var row = Row((await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json, provider)!;
        row["connected"]!.GetValue<bool>().ShouldBeTrue();
        row["lastSyncedAt"].ShouldNotBeNull();
        row["lastError"].ShouldBeNull();

        (await _http.Post($"/v0/calendar/{provider}/disconnect", new { }, organizer.Session)).ShouldBe(200);
        (await _http.SlotStarts(organizer, slug, "2030-03-05")).ShouldContain("2030-03-05T10:00:00.000Z");
        (await BusyRows(organizer)).ShouldBe(0);
        Row((await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json, provider)!["connected"]!.GetValue<bool>().ShouldBeFalse();
        (await _http.Post($"/v0/calendar/{provider}/disconnect", new { }, organizer.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Post($"/v0/calendar/{provider}/sync", new { }, organizer.Session)).ShouldBeProblem(404, "not-found");
    }

    [Fact]
    public async Task a_disconnect_during_a_sync_does_not_wait_for_the_provider_and_the_calendar_stays_disconnected()
    {
        var (organizer, _, _) = await _http.Bookable();
        var account = await Connect(organizer, "google");
        lock (account.Busy) account.Busy.Add((DateTimeOffset.Parse("2030-03-05T10:00:00Z"), DateTimeOffset.Parse("2030-03-05T11:00:00Z")));
        var hold = account.BusyHold = new Hold();

        // A sync (this one, or the one the connect scheduled) is at the provider when the disconnect arrives.
        var sync = _http.Post("/v0/calendar/google/sync", new { start = "2030-03-01T00:00:00Z", end = "2030-03-10T00:00:00Z" }, organizer.Session);
        await hold.Arrived.WaitAsync(TimeSpan.FromSeconds(30));
        // No transaction waits on the provider: the disconnect goes through while the sync is still out there…
        (await _http.Post("/v0/calendar/google/disconnect", new { }, organizer.Session)).ShouldBe(200);
        sync.IsCompleted.ShouldBeFalse();
        hold.Release();

        // …and the sync's late answer is dropped, not written over the disconnect.
        ((int)(await sync).Status).ShouldBeOneOf(200, 404);
        Row((await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json, "google")!["connected"]!.GetValue<bool>().ShouldBeFalse();
        (await BusyRows(organizer)).ShouldBe(0);
    }

    [Fact]
    public async Task a_writeback_at_a_slow_provider_holds_no_transaction_and_a_manual_sync_waits_its_turn()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var account = await Connect(organizer, "google");
        await WaitForIdleCalendar(organizer);
        var hold = account.CreateHold = new Hold();
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-03-06T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        await hold.Arrived.WaitAsync(TimeSpan.FromSeconds(30));

        // While the provider sits on the create, nothing waits in a transaction…
        for (var i = 0; i < 5; i++)
        {
            (await LongIdleInTransaction()).ShouldBe(0);
            await Task.Delay(200);
        }
        // …and a manual sync of the same calendar waits for the writeback's turn, then runs.
        var sync = _http.Post("/v0/calendar/google/sync", new { start = "2030-03-01T00:00:00Z", end = "2030-03-10T00:00:00Z" }, organizer.Session);
        await Task.Delay(500);
        sync.IsCompleted.ShouldBeFalse();
        hold.Release();
        (await sync).ShouldBe(200);
        (await GoogleStandIn.WaitFor(account, events => events.Count == 1)).Count.ShouldBe(1);
        account.CreateHold = null;
    }

    private async Task WaitForIdleCalendar(Organizer organizer)
    {
        // The connect queued a first sync: let it finish so the lease is free.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && Row((await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json, "google")!["lastSyncedAt"] is null)
            await Task.Delay(100);
    }

    private async Task<int> LongIdleInTransaction()
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(*) from pg_stat_activity where datname = $1 and state like 'idle in transaction%' and now() - state_change > interval '500 milliseconds'",
            connection) { Parameters = { new() { Value = new NpgsqlConnectionStringBuilder(app.DatabaseConnectionString).Database } } };
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task graph_times_in_windows_zones_are_read_in_the_right_iana_zone()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var account = await Connect(organizer, "microsoft");
        app.Graph.ScheduleZone = "Pacific Standard Time";
        // 18:00–19:00 UTC in July is 11:00–12:00 Pacific daylight time, as Graph would say it.
        lock (account.Busy) account.Busy.Add((DateTimeOffset.Parse("2030-07-02T14:00:00Z"), DateTimeOffset.Parse("2030-07-02T15:00:00Z")));
        (await _http.Post("/v0/calendar/microsoft/sync", new { start = "2030-07-01T00:00:00Z", end = "2030-07-05T00:00:00Z" }, organizer.Session)).ShouldBe(200);

        var slots = await _http.SlotStarts(organizer, slug, "2030-07-02");
        slots.ShouldNotContain("2030-07-02T14:00:00.000Z");
        slots.ShouldNotContain("2030-07-02T14:30:00.000Z");
        slots.ShouldContain("2030-07-02T15:00:00.000Z");
        slots.ShouldContain("2030-07-02T13:30:00.000Z");
    }

    [Theory]
    [InlineData("google")]
    [InlineData("microsoft")]
    public async Task bookings_are_created_moved_and_deleted_in_the_connected_calendar(string provider)
    {
        var (organizer, slug, _) = await _http.Bookable();
        var account = await Connect(organizer, provider);

        var booked = await Book(organizer, slug, "2030-04-02T10:00:00Z");
        booked["calendarWriteback"]!["queued"]!.GetValue<int>().ShouldBe(1);
        var created = await OAuthStandIn.WaitFor(account, events => events.Count == 1);
        created.Count.ShouldBe(1);
        var eventId = created[0].Id;
        created[0].Start.ShouldBe(DateTimeOffset.Parse("2030-04-02T10:00:00Z"));
        created[0].Subject.ShouldContain("Pat Lee");
        created[0].AttendeeEmail.ShouldBe("pat@example.com");

        var moved = (await _http.Post($"/v0/bookings/actions/{booked["actions"]!["reschedule"]!["token"]!.GetValue<string>()}/reschedule",
            new { startsAt = "2030-04-03T14:00:00Z", timezone = "UTC" }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        moved["calendarWriteback"]!["queued"]!.GetValue<int>().ShouldBe(1);
        var after = await OAuthStandIn.WaitFor(account, events => events.Count == 1 && events[0].Start == DateTimeOffset.Parse("2030-04-03T14:00:00Z"));
        after.Single().Id.ShouldBe(eventId);   // the same event, moved
        after.Single().End.ShouldBe(DateTimeOffset.Parse("2030-04-03T14:30:00Z"));

        var cancelToken = moved["actions"]!["cancel"]!["token"]!.GetValue<string>();
        var canceled = (await _http.Post($"/v0/bookings/actions/{cancelToken}/cancel", new { reason = "no longer needed" })).ShouldBe(200).Json;
        canceled["calendarWriteback"]!["queued"]!.GetValue<int>().ShouldBe(1);
        (await OAuthStandIn.WaitFor(account, events => events.Count == 0)).ShouldBeEmpty();

        var summary = (await WaitForWriteback(organizer, s => s["pending"]!.GetValue<int>() == 0))["summary"]!;
        summary["succeeded"]!.GetValue<int>().ShouldBe(3);
        summary["failed"]!.GetValue<int>().ShouldBe(0);
    }

    [Theory]
    [InlineData("google", false)]
    [InlineData("microsoft", true)]
    public async Task a_seated_slot_is_one_calendar_event_that_carries_every_attendee_and_goes_with_the_last_seat(string provider, bool showAttendees)
    {
        // Several writebacks of one calendar queue at once here and take its call lease in turn, beside a sync every 3 s
        // (each used to lose to the sync at every scheduler poll and wait minutes; a writeback now waits briefly for its turn).
        var (organizer, _, _) = await _http.Bookable();
        var slug = Organizers.Unique("class");
        (await _http.Post("/v0/event-types", new { name = "Class", slug, durationMinutes = 60, locationType = "video", seatsPerSlot = 3, showAttendees },
            organizer.Session)).ShouldBe(200);
        var account = await Connect(organizer, provider);
        const string at = "2030-04-02T10:00:00Z";
        var seats = new List<JsonNode>();
        foreach (var who in new[] { "ana", "ben", "cat" })
            seats.Add((await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, at, $"{who}@example.com"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json);

        var one = (await OAuthStandIn.WaitFor(account, events => events.Count == 1 && events[0].Attendees.Count == 3)).ShouldHaveSingleItem();
        one.Attendees.ShouldBe(["ana@example.com", "ben@example.com", "cat@example.com"]);
        one.Subject.ShouldContain("3 of 3 seats");
        one.Start.ShouldBe(DateTimeOffset.Parse(at));
        one.AttendeesVisible.ShouldBe(showAttendees);

        // Ben moves to another slot: he leaves this event for one of his own there.
        var moved = (await _http.Post($"/v0/bookings/actions/{seats[1]["actions"]!["reschedule"]!["token"]!.GetValue<string>()}/reschedule",
            new { startsAt = "2030-04-03T14:00:00Z", timezone = "UTC" }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var two = await OAuthStandIn.WaitFor(account, events => events.Count == 2 && events.Any(e => e.Id == one.Id && e.Attendees.Count == 2));
        two.Single(e => e.Id == one.Id).Attendees.ShouldBe(["ana@example.com", "cat@example.com"]);
        two.Single(e => e.Id != one.Id).Attendees.ShouldBe(["ben@example.com"]);
        two.Single(e => e.Id != one.Id).Start.ShouldBe(DateTimeOffset.Parse("2030-04-03T14:00:00Z"));

        // The last two seats of the first slot cancel: its event goes; Ben's stays.
        foreach (var seat in new[] { seats[0], seats[2] })
            (await _http.Post($"/v0/bookings/actions/{seat["actions"]!["cancel"]!["token"]!.GetValue<string>()}/cancel", new { reason = "sorry" })).ShouldBe(200);
        var left = await OAuthStandIn.WaitFor(account, events => events.Count == 1 && events[0].Id != one.Id);
        left.ShouldHaveSingleItem().Attendees.ShouldBe(["ben@example.com"]);

        var summary = (await WaitForWriteback(organizer, s => s["pending"]!.GetValue<int>() == 0))["summary"]!;
        summary["failed"]!.GetValue<int>().ShouldBe(0);
        moved["newBooking"]!["seat"]!["seatsTaken"]!.GetValue<int>().ShouldBe(1);
    }

    [Theory]
    [InlineData("google")]
    [InlineData("microsoft")]
    public async Task a_provider_failure_answers_502_and_is_recorded_as_the_last_error(string provider)
    {
        var organizer = await _http.SignUp();
        await Connect(organizer, provider);
        app.StandIn(provider).FailApiWith = 500;

        var failed = (await _http.Post($"/v0/calendar/{provider}/sync", new { }, organizer.Session)).ShouldBeProblem(502, "provider-failed");
        failed.Json["error"]!.GetValue<string>().ShouldContain("500");
        var row = Row((await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json, provider)!;
        row["lastError"]!.GetValue<string>().ShouldContain("500");
        row["connected"]!.GetValue<bool>().ShouldBeTrue();
        row["needsReconnect"]!.GetValue<bool>().ShouldBeFalse();

        app.StandIn(provider).FailApiWith = null;
        (await _http.Post($"/v0/calendar/{provider}/sync", new { }, organizer.Session)).ShouldBe(200);
        Row((await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json, provider)!["lastError"].ShouldBeNull();
    }

    [Theory]
    [InlineData("google")]
    [InlineData("microsoft")]
    public async Task an_expired_access_token_is_refreshed_and_a_revoked_refresh_token_flags_the_connection(string provider)
    {
        var organizer = await _http.SignUp();
        await Connect(organizer, provider);
        var standIn = app.StandIn(provider);

        // The connection also re-syncs by itself every few seconds here, and may refresh first: try a few times.
        var refreshes = standIn.RefreshGrants;
        var refreshed = false;
        for (var attempt = 0; attempt < 3 && !refreshed; attempt++)
        {
            standIn.ExpireAccessTokens();
            refreshed = (await _http.Post($"/v0/calendar/{provider}/sync", new { }, organizer.Session)).ShouldBe(200).Json["refreshedAccessToken"]!.GetValue<bool>();
        }
        refreshed.ShouldBeTrue();
        standIn.RefreshGrants.ShouldBeGreaterThan(refreshes);

        standIn.ExpireAccessTokens();
        standIn.RevokeRefreshTokens();
        var refused = (await _http.Post($"/v0/calendar/{provider}/sync", new { }, organizer.Session)).ShouldBeProblem(502, "provider-failed");
        refused.Json["error"]!.GetValue<string>().ShouldContain("invalid_grant");
        var row = Row((await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json, provider)!;
        row["needsReconnect"]!.GetValue<bool>().ShouldBeTrue();
        row["lastError"]!.GetValue<string>().ShouldContain("connect the calendar again");
        row["nextSyncAt"].ShouldBeNull();   // no more scheduled syncs until a reconnect

        await Connect(organizer, provider);
        var reconnected = Row((await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json, provider)!;
        reconnected["needsReconnect"]!.GetValue<bool>().ShouldBeFalse();
        reconnected["lastError"].ShouldBeNull();
    }

    [Fact]
    public async Task connected_calendars_resync_by_themselves()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var account = await Connect(organizer, "google");
        var day = DateTimeOffset.UtcNow.Date.AddDays(3);
        var busyStart = new DateTimeOffset(day.AddHours(13), TimeSpan.Zero);
        var slot = busyStart.ToString("yyyy-MM-dd'T'HH:mm:ss.000'Z'");
        (await _http.SlotStarts(organizer, slug, day.ToString("yyyy-MM-dd"))).ShouldContain(slot);

        lock (account.Busy) account.Busy.Add((busyStart, busyStart.AddHours(1)));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await _http.SlotStarts(organizer, slug, day.ToString("yyyy-MM-dd"))).Contains(slot) && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        (await _http.SlotStarts(organizer, slug, day.ToString("yyyy-MM-dd"))).ShouldNotContain(slot);
    }

    [Fact]
    public async Task a_forged_expired_or_foreign_state_is_refused()
    {
        var organizer = await _http.SignUp();
        var stranger = await _http.SignUp();
        var started = (await _http.Post("/v0/calendar/google/connect/start", new { redirectUri = Callback }, organizer.Session)).ShouldBe(200).Json;
        var state = started["state"]!.GetValue<string>();
        var code = app.Google.IssueCodeFor(app.Google.NewAccount(), started["authUrl"]!.GetValue<string>());

        var forged = state[..^3] + (state[^3] == 'A' ? "B" : "A") + state[^2..];
        (await _http.Post("/v0/calendar/google/connect/complete", new { code, state = forged, redirectUri = Callback }, organizer.Session)).ShouldBeProblem(400, "invalid-state");
        (await _http.Post("/v0/calendar/google/connect/complete", new { code, state = "garbage", redirectUri = Callback }, organizer.Session)).ShouldBeProblem(400, "invalid-state");
        (await _http.Post("/v0/calendar/google/connect/complete", new { code, state, redirectUri = Callback }, stranger.Session)).ShouldBeProblem(400, "invalid-state");
        (await _http.Post("/v0/calendar/microsoft/connect/complete", new { code, state, redirectUri = Callback }, organizer.Session)).ShouldBeProblem(400, "invalid-state");
        (await _http.Post("/v0/calendar/google/connect/complete", new { code, state, redirectUri = Callback + "/elsewhere" }, organizer.Session)).ShouldBeProblem(400, "invalid-state");
        app.Clock.Offset = TimeSpan.FromMinutes(11);
        (await _http.Post("/v0/calendar/google/connect/complete", new { code, state, redirectUri = Callback }, organizer.Session)).ShouldBeProblem(400, "invalid-state")
            .Json["error"]!.GetValue<string>().ShouldContain("expired");
        app.Clock.Offset = TimeSpan.Zero;

        // The state was fine all along; the code still works once.
        (await _http.Post("/v0/calendar/google/connect/complete", new { code, state, redirectUri = Callback }, organizer.Session)).ShouldBe(200);
        Row((await _http.Get("/v0/calendar/sync/status", stranger.Session)).Json, "google")!["connected"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task a_state_works_once_and_the_code_exchange_proves_its_attempt_with_pkce()
    {
        var organizer = await _http.SignUp();
        async Task<(string AuthUrl, string State)> Start()
        {
            var started = (await _http.Post("/v0/calendar/google/connect/start", new { redirectUri = Callback }, organizer.Session)).ShouldBe(200).Json;
            return (started["authUrl"]!.GetValue<string>(), started["state"]!.GetValue<string>());
        }

        // A code consented for another attempt (an intercepted code brought to this one) fails the provider's PKCE check.
        var (authUrl, state) = await Start();
        authUrl.ShouldContain("code_challenge_method=S256");
        var (otherAuthUrl, _) = await Start();
        var foreign = app.Google.IssueCodeFor(app.Google.NewAccount(), otherAuthUrl);
        (await _http.Post("/v0/calendar/google/connect/complete", new { code = foreign, state, redirectUri = Callback }, organizer.Session))
            .ShouldBeProblem(502, "provider-failed").Json["error"]!.GetValue<string>().ShouldContain("invalid_grant");

        // Every completion spends its state, a failed one too: a replay is refused before the provider is asked.
        var good = app.Google.IssueCodeFor(app.Google.NewAccount(), authUrl);
        (await _http.Post("/v0/calendar/google/connect/complete", new { code = good, state, redirectUri = Callback }, organizer.Session))
            .ShouldBeProblem(400, "invalid-state").Json["error"]!.GetValue<string>().ShouldContain("already used");

        var (freshUrl, freshState) = await Start();
        var fresh = app.Google.IssueCodeFor(app.Google.NewAccount(), freshUrl);
        (await _http.Post("/v0/calendar/google/connect/complete", new { code = fresh, state = freshState, redirectUri = Callback }, organizer.Session)).ShouldBe(200);
        var replay = app.Google.IssueCodeFor(app.Google.NewAccount(), freshUrl);
        (await _http.Post("/v0/calendar/google/connect/complete", new { code = replay, state = freshState, redirectUri = Callback }, organizer.Session))
            .ShouldBeProblem(400, "invalid-state");
    }

    [Fact]
    public async Task a_refused_code_is_a_502_and_connects_nothing()
    {
        var organizer = await _http.SignUp();
        var state = (await _http.Post("/v0/calendar/google/connect/start", new { redirectUri = Callback }, organizer.Session)).Json["state"]!.GetValue<string>();
        (await _http.Post("/v0/calendar/google/connect/complete", new { code = "not-a-code", state, redirectUri = Callback }, organizer.Session))
            .ShouldBeProblem(502, "provider-failed").Json["error"]!.GetValue<string>().ShouldContain("invalid_grant");
        Row((await _http.Get("/v0/calendar/sync/status", organizer.Session)).Json, "google")!["connected"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Theory]
    [InlineData("/v0/calendar/outlook/connect/start", """{"redirectUri":"https://x.test/cb"}""", 404, "not-found")]
    [InlineData("/v0/calendar/google/connect/start", """{"redirectUri":"not a url"}""", 400, "validation")]
    [InlineData("/v0/calendar/google/connect/start", """{"redirectUri":"ftp://x.test/cb"}""", 400, "validation")]
    [InlineData("/v0/calendar/google/connect/start", """{}""", 400, "validation")]
    [InlineData("/v0/calendar/google/connect/start", """{"redirectUri":5}""", 400, "wrong-type")]
    [InlineData("/v0/calendar/google/connect/complete", """{"state":"s","redirectUri":"https://x.test/cb"}""", 400, "validation")]
    [InlineData("/v0/calendar/google/sync", """{"start":"2030-01-01T00:00:00Z","end":"2030-05-01T00:00:00Z"}""", 400, "validation")]
    [InlineData("/v0/calendar/google/sync", """{"start":"2030-01-02T00:00:00Z","end":"2030-01-01T00:00:00Z"}""", 400, "validation")]
    [InlineData("/v0/calendar/google/sync", """{"start":"yesterday"}""", 400, "wrong-type")]
    [InlineData("/v0/calendar/writeback/run", """{"limit":0}""", 400, "validation")]
    [InlineData("/v0/calendar/writeback/run", """{"limit":"ten"}""", 400, "wrong-type")]
    [InlineData("/v0/calendar/google/connect/start", """{"redirectUri":""", 400, "invalid-json")]
    public async Task bad_input_gets_the_contracts_answer(string route, string body, int status, string type)
    {
        var organizer = await _http.SignUp();
        (await _http.Post(route, body, organizer.Session)).ShouldBeProblem(status, type);
    }

    [Fact]
    public async Task a_writeback_that_keeps_failing_is_retried_then_reported_and_run_processes_due_ones()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var account = await Connect(organizer, "google");
        app.Google.FailApiWith = 500;
        var booked = await Book(organizer, slug, "2030-05-06T10:00:00Z");
        var bookingId = booked["booking"]!["id"]!.GetValue<string>();
        var writeback = await WaitForAttempts(Guid.Parse(bookingId), 1);
        writeback.Status.ShouldBe(WritebackStatus.Pending);
        writeback.LastError!.ShouldContain("500");

        // Not due yet (the retry waits an hour): run finds nothing.
        (await _http.Post("/v0/calendar/writeback/run", new { }, organizer.Session)).ShouldBe(200).Json["processed"]!.GetValue<int>().ShouldBe(0);

        app.Clock.Offset = TimeSpan.FromHours(2);
        var run = (await _http.Post("/v0/calendar/writeback/run", new { limit = 10 }, organizer.Session)).ShouldBe(200).Json;
        run["limit"]!.GetValue<int>().ShouldBe(10);
        run["processed"]!.GetValue<int>().ShouldBe(1);
        run["failed"]!.GetValue<int>().ShouldBe(1);   // the second of two attempts

        var status = (await _http.Get("/v0/calendar/writeback/status", organizer.Session)).ShouldBe(200).Json;
        status["summary"]!["failed"]!.GetValue<int>().ShouldBe(1);
        var failure = status["failures"]!.AsArray().Single()!;
        failure["bookingId"]!.GetValue<string>().ShouldBe(bookingId);
        failure["provider"]!.GetValue<string>().ShouldBe("google");
        failure["operation"]!.GetValue<string>().ShouldBe("create");
        failure["attemptCount"]!.GetValue<int>().ShouldBe(CalendarApp.MaxAttempts);
        failure["lastError"]!.GetValue<string>().ShouldContain("500");
        account.Events.ShouldBeEmpty();

        // A later booking, with the provider back, goes through; run answers for due work only.
        app.Google.FailApiWith = null;
        await Book(organizer, slug, "2030-05-07T10:00:00Z");
        (await OAuthStandIn.WaitFor(account, events => events.Count == 1)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task team_bookings_are_written_to_the_assigned_members_calendar()
    {
        var owner = await _http.SignUp();
        var member = await _http.SignUp();
        var rules = Enumerable.Range(0, 7).Select(day => new { dayOfWeek = day, startMinute = 9 * 60, endMinute = 17 * 60 });
        (await _http.Put("/v0/me/availability/rules", new { rules }, member.Session)).ShouldBe(200);
        var teamSlug = Organizers.Unique("team");
        var teamId = (await _http.Post("/v0/teams", new { name = "Team", slug = teamSlug }, owner.Session)).ShouldBe(200).Json["team"]!["id"]!.GetValue<string>();
        await _http.Join(teamId, owner, member);
        var eventSlug = Organizers.Unique("demo");
        (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "Demo", slug = eventSlug, durationMinutes = 30, mode = "round_robin", locationType = "video", requiredMemberUserIds = new[] { member.Id },
        }, owner.Session)).ShouldBe(200);
        var account = await Connect(member, "microsoft");

        var booked = (await _http.Post("/v0/team-bookings", new
        {
            teamSlug, eventSlug, startsAt = "2030-06-04T09:00:00Z", timezone = "UTC", inviteeName = "Pat Lee", inviteeEmail = "pat@example.com",
        }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        booked["calendarWriteback"]!["queued"]!.GetValue<int>().ShouldBe(1);
        var events = await OAuthStandIn.WaitFor(account, e => e.Count == 1);
        events.Single().Start.ShouldBe(DateTimeOffset.Parse("2030-06-04T09:00:00Z"));
    }

    [Fact]
    public async Task tokens_are_sealed_at_rest()
    {
        var organizer = await _http.SignUp();
        await Connect(organizer, "google");
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select (select count(*) from opencalendly.mt_events where data::text ~ '\"(at|rt)-[0-9a-f]{32}') + " +
            "(select count(*) from opencalendly.mt_doc_calendarconnection where data::text ~ '\"(at|rt)-[0-9a-f]{32}')", connection);
        ((long)(await command.ExecuteScalarAsync())!).ShouldBe(0);
    }

    private async Task<JsonNode> WaitForWriteback(Organizer organizer, Func<JsonNode, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var status = (await _http.Get("/v0/calendar/writeback/status", organizer.Session)).ShouldBe(200).Json;
            if (done(status["summary"]!) || DateTime.UtcNow > deadline) return status;
            await Task.Delay(100);
        }
    }

    private async Task<CalendarWriteback> WaitForAttempts(Guid bookingId, int attempts)
    {
        var store = app.Host.Services.GetRequiredService<IDocumentStore>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using var session = store.QuerySession();
            var writeback = await session.Query<CalendarWriteback>().FirstOrDefaultAsync(w => w.BookingId == bookingId);
            if (writeback?.Attempts >= attempts || DateTime.UtcNow > deadline) return writeback.ShouldNotBeNull();
            await Task.Delay(100);
        }
    }

    private async Task<long> BusyRows(Organizer organizer)
    {
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from opencalendly.busy_windows where user_id = $1", connection)
        { Parameters = { new() { Value = Guid.Parse(organizer.Id) } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

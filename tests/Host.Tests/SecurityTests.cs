using System.Net;
using System.Net.Http.Json;
using OpenCalendly.Host.Identity;

namespace OpenCalendly.Host.Tests;

/// <summary>A host outside Production with no <c>App:PublicBaseUrl</c>: links may only come from a loopback request origin.</summary>
public sealed class NoPublicOriginApp : App
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["App:PublicBaseUrl"] = null };
}

[CollectionDefinition(Name)]
public sealed class NoPublicOriginCollection : ICollectionFixture<NoPublicOriginApp>
{
    public const string Name = "no-public-origin";
}

/// <summary>The settings the published build runs with: Production, its public origin configured, nothing else loosened.</summary>
public sealed class ProductionApp : App
{
    public const string Origin = "https://cal.example.com";

    protected override string EnvironmentName => "Production";
    protected override int? DeliveryRunsPerMinute => null;
    protected override int? FunnelEventsPerEventTypePerMinute => null;
    protected override string? OwnDatabase => "production";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["App:PublicBaseUrl"] = Origin, ["Email:Provider"] = "file",
    };
}

[CollectionDefinition(Name)]
public sealed class ProductionCollection : ICollectionFixture<ProductionApp>
{
    public const string Name = "production";
}

/// <summary>Finding 1 (high): sign-in and action links never take their host from the request.</summary>
[Collection(NoPublicOriginCollection.Name)]
public sealed class LinkPoisoningTests(NoPublicOriginApp app)
{
    private async Task<string> SignInLinkFor(string host)
    {
        var email = Organizers.Unique("victim") + "@example.com";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v0/auth/magic-link")
        {
            Content = JsonContent.Create(new { email, username = Organizers.Unique("victim"), displayName = "Victim" }),
        };
        request.Headers.Host = host;
        var answer = await app.Http.SendAsync(request);
        answer.StatusCode.ShouldBe(HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        var token = (await answer.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["magicLinkToken"]!.GetValue<string>();
        var mail = (await Mailbox.WaitFor(app.MailFolder, "magic-link:" + Tokens.Hash(token), 1)).ShouldHaveSingleItem();
        return mail.TextBody ?? "";
    }

    [Fact]
    public async Task a_poisoned_host_header_never_reaches_the_sign_in_email()
    {
        var body = await SignInLinkFor("attacker.example");

        body.ShouldNotContain("attacker.example");
        body.ShouldContain("http://localhost/auth/verify?token=");
    }

    [Fact]
    public async Task a_loopback_request_origin_is_kept_for_a_developer_machine()
    {
        (await SignInLinkFor("127.0.0.1:5099")).ShouldContain("http://127.0.0.1:5099/auth/verify?token=");
    }
}

[Collection(ProductionCollection.Name)]
public sealed class ProductionOriginTests(ProductionApp app)
{
    private static HttpRequestMessage Probe(string host)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        request.Headers.Host = host;
        return request;
    }

    [Fact]
    public async Task production_answers_only_for_its_public_host_and_loopback()
    {
        (await app.Http.SendAsync(Probe("attacker.example"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await app.Http.SendAsync(Probe("cal.example.com"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.Http.SendAsync(Probe("localhost"))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task production_links_use_the_configured_origin()
    {
        var email = Organizers.Unique("prod") + "@example.com";
        var using127 = new HttpRequestMessage(HttpMethod.Post, "/v0/auth/magic-link")
        {
            Content = JsonContent.Create(new { email, username = Organizers.Unique("prod"), displayName = "Prod" }),
        };
        using127.Headers.Host = "127.0.0.1:8080";
        var token = (await (await app.Http.SendAsync(using127)).Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>())!["magicLinkToken"]!.GetValue<string>();
        var mail = (await Mailbox.WaitFor(app.MailFolder, "magic-link:" + Tokens.Hash(token), 1)).ShouldHaveSingleItem();
        (mail.TextBody ?? "").ShouldContain(ProductionApp.Origin + "/auth/verify?token=");
    }
}

public sealed class ProductionOriginStartupTests
{
    [Fact]
    public async Task production_refuses_to_start_without_a_public_origin()
    {
        var error = await Should.ThrowAsync<Exception>(() => Alba.AlbaHost.For<Program>(builder =>
        {
            Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseEnvironment(builder, "Production");
            builder.UseSetting("ConnectionStrings:Postgres", App.ConnectionString);
            builder.UseSetting("Secrets:Key", Convert.ToBase64String(new byte[32]));
            builder.UseSetting("Email:Provider", "file");
        }));
        error.ToString().ShouldContain("App:PublicBaseUrl is required in Production");
    }
}

/// <summary>Finding 2 (high): nobody is put into a team, and so onto its booking page, without accepting.</summary>
[Collection(AppCollection.Name)]
public sealed class TeamConsentTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private async Task<string> RoundRobin(Organizer owner, string teamId)
    {
        var slug = Organizers.Unique("demo");
        (await _http.Post("/v0/team-event-types", new { teamId, name = "Demo", slug, durationMinutes = 30, mode = "round_robin", locationType = "video" }, owner.Session))
            .ShouldBe(200);
        return slug;
    }

    private async Task<string[]> Assignable(string teamSlug, string slug) =>
        [.. (await _http.Get($"/v0/teams/{teamSlug}/event-types/{slug}/availability?start=2030-04-01T00:00:00Z&days=1")).ShouldBe(200)
            .Json["slots"]!.AsArray().SelectMany(s => s!["assignmentUserIds"]!.AsArray().Select(id => id!.GetValue<string>())).Distinct()];

    [Fact]
    public async Task an_attacker_who_adds_someone_to_a_team_gets_an_invitation_not_their_time()
    {
        var (attacker, teamId, teamSlug) = await _http.Team();
        await _http.WithoutHours(attacker);   // only the victim's time could take a booking
        var victim = await _http.SignUp();
        var rules = Enumerable.Range(0, 7).Select(day => new { dayOfWeek = day, startMinute = 540, endMinute = 1020 });
        (await _http.Put("/v0/me/availability/rules", new { rules }, victim.Session)).ShouldBe(200);
        var slug = await RoundRobin(attacker, teamId);

        // The victim's id is in every booking answer; adding by it only invites.
        var added = (await _http.Post($"/v0/teams/{teamId}/members", new { userId = victim.Id }, attacker.Session)).ShouldBe(200).Json["member"]!;
        added["status"]!.GetValue<string>().ShouldBe("invited");
        (await Assignable(teamSlug, slug)).ShouldNotContain(victim.Id);
        (await _http.Get($"/v0/teams/{teamSlug}/event-types/{slug}")).ShouldBe(200).Json["members"]!.AsArray()
            .ShouldNotContain(m => m!["username"]!.GetValue<string>() == victim.Username);
        (await _http.Post("/v0/team-bookings", new
        {
            teamSlug, eventSlug = slug, startsAt = "2030-04-01T10:00:00Z", inviteeName = "Mallory", inviteeEmail = "m@example.com",
        }, idempotencyKey: Api.NewKey())).ShouldBeProblem(409, "slot-taken");
        (await _http.Post("/v0/team-event-types", new
        {
            teamId, name = "Panel", slug = Organizers.Unique("panel"), durationMinutes = 30, mode = "collective", locationType = "video",
            requiredMemberUserIds = new[] { victim.Id },
        }, attacker.Session)).ShouldBeProblem(400, "validation");

        // The victim sees it and declines; it is gone and the attacker cannot accept on their behalf.
        var invitation = (await _http.Get("/v0/me/team-invitations", victim.Session)).ShouldBe(200).Json["invitations"]!.AsArray().ShouldHaveSingleItem()!;
        invitation["team"]!["slug"]!.GetValue<string>().ShouldBe(teamSlug);
        var invitationId = invitation["id"]!.GetValue<string>();
        (await _http.Post($"/v0/me/team-invitations/{invitationId}/accept", new { }, attacker.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Post($"/v0/me/team-invitations/{invitationId}/decline", new { }, victim.Session)).ShouldBe(200);
        (await _http.Get("/v0/me/team-invitations", victim.Session)).Json["invitations"]!.AsArray().ShouldBeEmpty();
        (await _http.Get($"/v0/teams/{teamId}/members", attacker.Session)).Json["members"]!.AsArray()
            .ShouldNotContain(m => m!["userId"]!.GetValue<string>() == victim.Id);
        (await Assignable(teamSlug, slug)).ShouldBeEmpty();
    }

    [Fact]
    public async Task an_accepted_member_is_booked_can_leave_and_keeps_their_bookings()
    {
        var (owner, teamId, teamSlug) = await _http.Team();
        await _http.WithoutHours(owner);
        var member = await _http.SignUp();
        var rules = Enumerable.Range(0, 7).Select(day => new { dayOfWeek = day, startMinute = 540, endMinute = 1020 });
        (await _http.Put("/v0/me/availability/rules", new { rules }, member.Session)).ShouldBe(200);
        var slug = await RoundRobin(owner, teamId);

        // By email this time; the invited organizer accepts.
        var id = (await _http.Post($"/v0/teams/{teamId}/members", new { email = member.Email }, owner.Session)).ShouldBe(200).Json["member"]!["id"]!.GetValue<string>();
        (await _http.Post($"/v0/me/team-invitations/{id}/accept", new { }, member.Session)).ShouldBe(200).Json["status"]!.GetValue<string>().ShouldBe("active");
        (await Assignable(teamSlug, slug)).ShouldBe([member.Id]);
        var booking = (await _http.Post("/v0/team-bookings", new
        {
            teamSlug, eventSlug = slug, startsAt = "2030-04-01T10:00:00Z", inviteeName = "Pat", inviteeEmail = "pat@example.com",
        }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json["booking"]!["id"]!.GetValue<string>();

        // The owner cannot leave; the member can, and the answer reports the booking that stays theirs.
        (await _http.Send(HttpMethod.Delete, $"/v0/me/teams/{teamId}", null, owner.Session)).ShouldBeProblem(409, "owner-stays");
        var left = (await _http.Send(HttpMethod.Delete, $"/v0/me/teams/{teamId}", null, member.Session)).ShouldBe(200).Json;
        left["keptBookings"]!.AsArray().ShouldHaveSingleItem()!["id"]!.GetValue<string>().ShouldBe(booking);
        (await Assignable(teamSlug, slug)).ShouldBeEmpty();
        (await _http.Get("/v0/me/bookings", member.Session)).ShouldBe(200).Body.ShouldContain(booking);

        // Rejoined, then removed by the owner.
        await _http.Join(teamId, owner, member);
        (await _http.Send(HttpMethod.Delete, $"/v0/teams/{teamId}/members/{member.Id}", null, member.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Send(HttpMethod.Delete, $"/v0/teams/{teamId}/members/{owner.Id}", null, owner.Session)).ShouldBeProblem(409, "owner-stays");
        (await _http.Send(HttpMethod.Delete, $"/v0/teams/{teamId}/members/{member.Id}", null, owner.Session)).ShouldBe(200)
            .Json["keptBookings"]!.AsArray().Count.ShouldBe(1);
        (await Assignable(teamSlug, slug)).ShouldBeEmpty();
    }

    [Fact]
    public async Task inviting_names_one_existing_organizer()
    {
        var (owner, teamId, _) = await _http.Team();
        (await _http.Post($"/v0/teams/{teamId}/members", new { username = "nobody-" + Guid.NewGuid().ToString("N")[..8] }, owner.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Post($"/v0/teams/{teamId}/members", new { }, owner.Session)).ShouldBeProblem(400, "validation");
        (await _http.Post($"/v0/teams/{teamId}/members", new { username = "a", email = "a@example.com" }, owner.Session)).ShouldBeProblem(400, "validation");
    }
}

/// <summary>Finding 4 (medium): concurrent writers of one document never lose each other's changes.</summary>
[Collection(AppCollection.Name)]
public sealed class LostUpdateTests(App app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task twenty_concurrent_time_off_entries_are_all_kept()
    {
        var organizer = await _http.SignUp();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            _http.Post("/v0/me/time-off", new { startDate = $"2031-01-{i + 1:00}", reason = $"day {i}" }, organizer.Session)));
        answers.ShouldAllBe(a => a.Status == HttpStatusCode.OK);
        (await _http.Get("/v0/me/time-off", organizer.Session)).Json["timeOff"]!.AsArray().Count.ShouldBe(20);
    }

    [Fact]
    public async Task concurrent_rules_and_time_off_edits_keep_both()
    {
        var organizer = await _http.SignUp();
        var rules = new[] { new { dayOfWeek = 1, startMinute = 540, endMinute = 600 } };
        await Task.WhenAll(Enumerable.Range(0, 10).SelectMany(i => new[]
        {
            _http.Post("/v0/me/time-off", new { startDate = $"2031-02-{i + 1:00}" }, organizer.Session),
            _http.Put("/v0/me/availability/rules", new { rules }, organizer.Session),
        }));
        (await _http.Get("/v0/me/time-off", organizer.Session)).Json["timeOff"]!.AsArray().Count.ShouldBe(10);
        (await _http.Get("/v0/me/availability", organizer.Session)).Json["rules"]!.AsArray().Count.ShouldBe(1);
    }

    [Fact]
    public async Task twenty_concurrent_invitations_to_one_team_are_all_kept()
    {
        var (owner, teamId, _) = await _http.Team();
        var people = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _http.SignUp()));
        var answers = await Task.WhenAll(people.Select(p => _http.Post($"/v0/teams/{teamId}/members", new { username = p.Username }, owner.Session)));
        answers.ShouldAllBe(a => a.Status == HttpStatusCode.OK);
        (await _http.Get($"/v0/teams/{teamId}/members", owner.Session)).Json["members"]!.AsArray().Count.ShouldBe(21);
    }
}

/// <summary>Finding 5 (medium): what a caller types cannot add lines to an invitation or pose as our text in an email.</summary>
[Collection(AppCollection.Name)]
public sealed class InjectionTests(App app)
{
    private readonly HttpClient _http = app.Http;

    [Theory]
    [InlineData("Pat\r\nATTENDEE:mailto:evil@example.com")]
    [InlineData("Pat\nURL:https://evil.example")]
    [InlineData("Pat\u2028Lee")]
    [InlineData("Pat\tLee")]
    public async Task a_single_line_field_with_a_line_break_or_control_character_is_refused(string name)
    {
        var (organizer, slug, _) = await _http.Bookable();
        var request = new
        {
            username = organizer.Username, eventSlug = slug, startsAt = "2030-09-02T10:00:00Z", inviteeName = name, inviteeEmail = "pat@example.com",
        };
        (await _http.Post("/v0/bookings", request, idempotencyKey: Api.NewKey())).ShouldBeProblem(400, "validation").Json["errors"]!["inviteeName"].ShouldNotBeNull();
        (await _http.Post("/v0/event-types", new { name, slug = Organizers.Unique("x"), durationMinutes = 30, locationType = "video" }, organizer.Session))
            .ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/event-types", new { name = "Ok", slug = Organizers.Unique("x"), durationMinutes = 30, locationType = "in_person", locationValue = name }, organizer.Session))
            .ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/teams", new { name, slug = Organizers.Unique("t") }, organizer.Session)).ShouldBeProblem(400, "validation");
    }

    [Fact]
    public async Task a_cancel_reason_with_line_breaks_and_a_link_is_mailed_as_one_quoted_line()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-09-03T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var id = booked["booking"]!["id"]!.GetValue<string>();
        var token = booked["actions"]!["cancel"]!["token"]!.GetValue<string>();
        const string reason = "Sorry.\r\n\r\nYour account is locked: sign in again at https://evil.example/login\r\n<b>Support</b>";
        (await _http.Post($"/v0/bookings/actions/{token}/cancel", new { reason })).ShouldBe(200);

        var mail = (await Mailbox.WaitFor(app.MailFolder, $"booking-canceled:{id}:organizer", 1)).ShouldHaveSingleItem();
        var text = mail.TextBody!;
        text.ShouldContain("“Sorry. / Your account is locked: sign in again at https://evil.example/login / <b>Support</b>”");
        text.Split('\n').ShouldNotContain(line => line.StartsWith("Your account is locked"));
        mail.HtmlBody!.ShouldNotContain("<b>Support</b>");
        mail.HtmlBody!.ShouldNotContain("href=\"https://evil.example");
    }

    [Fact]
    public void a_name_stored_before_validation_cannot_add_lines_to_an_invitation()
    {
        var invitation = new OpenCalendly.Integrations.Email.Invitation(
            OpenCalendly.Integrations.Email.InvitationMethod.Request, "uid@opencalendly", 0, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(30),
            "Call", "line one\nline two", null, new("Org \"Boss\"", "org@example.com"),
            new("Pat\r\nATTENDEE:mailto:evil@example.com\r\nURL:https://evil.example", "pat@example.com"), DateTimeOffset.UtcNow);

        var lines = invitation.ToIcs().Split("\r\n");
        lines.ShouldNotContain(l => l.StartsWith("ATTENDEE:mailto:evil"));
        lines.ShouldNotContain(l => l.StartsWith("URL:"));
        lines.Count(l => l.StartsWith("ATTENDEE")).ShouldBe(1);
    }
}

/// <summary>Finding 6 (medium): the sign-in answer never says whether an account exists.</summary>
[Collection(AppCollection.Name)]
public sealed class EnumerationTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private static string Shape(Answer answer)
    {
        var json = answer.Json.AsObject();
        return $"{(int)answer.Status} {string.Join(",", json.Select(p => p.Key).Order())}";
    }

    [Fact]
    public async Task known_and_unknown_emails_get_the_same_answer()
    {
        var known = await _http.SignUp();
        var unknown = $"{Organizers.Unique("nobody")}@example.com";

        var forKnown = await _http.Post("/v0/auth/magic-link", new { email = known.Email });
        var forUnknown = await _http.Post("/v0/auth/magic-link", new { email = unknown });
        var forUnknownWithTakenName = await _http.Post("/v0/auth/magic-link", new { email = unknown, username = known.Username, displayName = "X" });

        Shape(forKnown).ShouldBe("200 expiresAt,magicLinkToken,ok");
        Shape(forUnknown).ShouldBe(Shape(forKnown));
        Shape(forUnknownWithTakenName).ShouldBe(Shape(forKnown));
    }
}

/// <summary>Finding 7 (medium): a sign-in link names its account and waits for a click; it never replaces a session silently.</summary>
[Collection(BrowserCollection.Name)]
public sealed class SignInConsentTests(BrowserApp app)
{
    [Fact]
    public async Task a_link_for_someone_elses_account_does_not_sign_this_browser_in_until_asked()
    {
        var victim = await app.Http.SignUp();
        var attacker = await app.Http.SignUp();
        var attackersLink = (await app.Http.Post("/v0/auth/magic-link", new { email = attacker.Email })).ShouldBe(200).Json["magicLinkToken"]!.GetValue<string>();

        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/auth/sign-in");
        await page.EvaluateAsync("token => localStorage.setItem('oc-session', token)", victim.Session);
        await page.GotoAsync($"{app.BaseUrl}/auth/verify?token={attackersLink}");
        await page.WaitForSelectorAsync("#continue", new() { State = Microsoft.Playwright.WaitForSelectorState.Visible });

        (await page.TextContentAsync("#continue"))!.ShouldContain($"Continue as Org {attacker.Username}");
        (await page.TextContentAsync("#replaces"))!.ShouldContain(victim.Email);
        (await page.EvaluateAsync<string>("localStorage.getItem('oc-session')")).ShouldBe(victim.Session);
        page.Url.ShouldContain("/auth/verify");
        // The link is still unused: loading the page consumed nothing.
        (await app.Http.Post("/v0/auth/magic-link/preview", new { token = attackersLink })).ShouldBe(200);
    }
}

/// <summary>Finding 8 (medium): tokens are never stored by caches; the backlog is for operators; HSTS in Production.</summary>
[Collection(AppCollection.Name)]
public sealed class HeaderTests(App app)
{
    [Fact]
    public async Task answers_carrying_tokens_are_never_stored()
    {
        var email = $"{Organizers.Unique("cache")}@example.com";
        var answer = await app.Http.Post("/v0/auth/magic-link", new { email, username = Organizers.Unique("cache"), displayName = "C" });
        answer.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var page = await app.Http.GetAsync("/booking/actions/some-token");
        page.Headers.CacheControl!.NoStore.ShouldBeTrue();
    }

    [Fact]
    public void a_host_without_a_configured_key_draws_a_random_one()
    {
        var (first, second) = (Unkeyed(), Unkeyed());
        first.Open(first.Seal("probe")).ShouldBe("probe");
        second.Open(first.Seal("probe")).ShouldBeNull();
    }

    private static OpenCalendly.Integrations.Secrets.SecretBox Unkeyed() => OpenCalendly.Host.Api.SecretKeys.Load(
        new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build(),
        new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Development" });
}

[Collection(ProductionCollection.Name)]
public sealed class ProductionHeaderTests(ProductionApp app)
{
    [Fact]
    public async Task production_sends_hsts_and_shows_the_backlog_only_to_operators()
    {
        var answer = await app.Http.GetAsync("/health/ready");
        answer.Headers.TryGetValues("Strict-Transport-Security", out var hsts).ShouldBeTrue();
        hsts!.Single().ShouldContain("max-age=");
        var body = await answer.Content.ReadAsStringAsync();
        body.ShouldContain("\"status\"");
        body.ShouldNotContain("outbox");
        body.ShouldNotContain("deadLetters");
    }
}

/// <summary>Finding 3 (medium): one organizer's receiver that never answers delays nobody else and holds no transaction.</summary>
[Collection(WebhookCollection.Name)]
public sealed class WebhookIsolationTests(WebhookApp app)
{
    private readonly HttpClient _http = app.Http;

    private async Task<int> IdleInTransaction()
    {
        await using var connection = new Npgsql.NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            // Idle in a transaction for more than half a second: a connection waiting on something outside the database
            // (any transaction is idle for an instant between its statements; an attempt of old held one for the whole call).
            "select count(*) from pg_stat_activity where datname = $1 and state like 'idle in transaction%' and now() - state_change > interval '500 milliseconds'",
            connection)
        { Parameters = { new() { Value = new Npgsql.NpgsqlConnectionStringBuilder(app.DatabaseConnectionString).Database } } };
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task a_receiver_that_never_answers_starves_no_one_and_holds_no_transaction()
    {
        var (slow, slowSlug, _) = await _http.Bookable();
        for (var i = 0; i < 25; i++)
            (await _http.Post("/v0/webhooks", new { url = app.Receiver.Url("hang"), events = new[] { "booking.created" }, secret = "hang-secret-" + i }, slow.Session))
                .ShouldBe(200);
        (await _http.Post("/v0/webhooks", new { url = app.Receiver.Url("hang"), events = new[] { "booking.created" }, secret = "one-too-many" }, slow.Session))
            .ShouldBeProblem(409, "webhook-limit");
        foreach (var start in new[] { "2031-03-03T10:00:00Z", "2031-03-03T11:00:00Z" })
            (await _http.Post("/v0/bookings", Bookings.Request(slow, slowSlug, start), idempotencyKey: Api.NewKey())).ShouldBe(200);

        var (other, otherSlug, _) = await _http.Bookable();
        (await _http.Post("/v0/webhooks", new { url = app.Receiver.Url("ok"), events = new[] { "booking.created" }, secret = "other-secret" }, other.Session))
            .ShouldBe(200);
        await Task.Delay(500);   // the fifty hanging attempts are under way
        var booked = DateTime.UtcNow;
        var id = (await _http.Post("/v0/bookings", Bookings.Request(other, otherSlug, "2031-03-03T10:00:00Z"), idempotencyKey: Api.NewKey()))
            .ShouldBe(200).Json["booking"]!["id"]!.GetValue<string>();

        var idle = new List<int>();
        while (app.Receiver.About(id).Count == 0 && DateTime.UtcNow - booked < TimeSpan.FromSeconds(30))
        {
            idle.Add(await IdleInTransaction());
            await Task.Delay(200);
        }
        // Fifty attempts of 3 s each on the workers everyone shares would keep it waiting for most of a minute.
        app.Receiver.About(id).ShouldNotBeEmpty();
        (DateTime.UtcNow - booked).ShouldBeLessThan(TimeSpan.FromSeconds(10));
        idle.ShouldAllBe(n => n == 0);
    }
}

[Collection(ProductionCollection.Name)]
public sealed class DeliveryRunLimitTests(ProductionApp app)
{
    [Fact]
    public async Task running_deliveries_by_hand_is_rate_limited()
    {
        var organizer = await app.Http.SignUp();
        var answers = new List<Answer>();
        for (var i = 0; i < 7; i++) answers.Add(await app.Http.Post("/v0/webhooks/deliveries/run", new { }, organizer.Session));
        answers.Take(6).ShouldAllBe(a => a.Status == HttpStatusCode.OK);
        answers[6].ShouldBeProblem(429, "rate-limited");
    }
}

[Collection(ProductionCollection.Name)]
public sealed class FunnelLimitTests(ProductionApp app)
{
    [Fact]
    public async Task one_event_type_takes_at_most_600_funnel_events_a_minute_whatever_the_address()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var body = new { username = organizer.Username, eventSlug = slug, stage = "page_view" };
        var answers = await Task.WhenAll(Enumerable.Range(0, 620).Select(_ => app.Http.Post("/v0/analytics/funnel/events", body)));
        answers.Count(a => a.Status == HttpStatusCode.OK).ShouldBe(600);
        var refused = answers.First(a => (int)a.Status == 429);
        refused.ShouldBeProblem(429, "rate-limited");
        refused.Headers.RetryAfter.ShouldNotBeNull();
        // Another event type still records.
        var (other, otherSlug, _) = await app.Http.Bookable();
        (await app.Http.Post("/v0/analytics/funnel/events", new { username = other.Username, eventSlug = otherSlug, stage = "page_view" })).ShouldBe(200);
    }
}

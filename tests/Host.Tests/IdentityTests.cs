using Alba;

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class IdentityTests(App app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task health_reports_the_database()
    {
        var result = await app.Host.Scenario(s => s.Get.Url("/health"));
        var body = await result.ReadAsJsonAsync<Dictionary<string, string>>();
        body!["status"].ShouldBe("ok");
        body["database"].ShouldBe("ok");
        (await _http.Get("/health/live")).ShouldBe(200).Json["status"]!.GetValue<string>().ShouldBe("ok");
    }

    [Fact]
    public async Task signing_up_through_a_magic_link_creates_the_user_and_a_session()
    {
        var organizer = await _http.SignUp("Europe/Berlin");

        var me = (await _http.Get("/v0/auth/me", organizer.Session)).ShouldBe(200).Json;
        me["ok"]!.GetValue<bool>().ShouldBeTrue();
        me["user"]!["username"]!.GetValue<string>().ShouldBe(organizer.Username);
        me["user"]!["email"]!.GetValue<string>().ShouldBe(organizer.Email);
        me["user"]!["timezone"]!.GetValue<string>().ShouldBe("Europe/Berlin");
    }

    [Fact]
    public async Task the_magic_link_email_goes_out_through_the_outbox_to_the_sink()
    {
        var username = Organizers.Unique("mail");
        (await _http.Post("/v0/auth/magic-link", new { email = $"{username}@example.com", username, displayName = "Mail" })).ShouldBe(200);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        string? found = null;
        while (found is null && DateTime.UtcNow < deadline)
        {
            found = Directory.Exists(app.MailFolder)
                ? Directory.GetFiles(app.MailFolder, "*.eml").Select(File.ReadAllText).FirstOrDefault(t => t.Contains($"{username}@example.com"))
                : null;
            if (found is null) await Task.Delay(100);
        }
        found.ShouldNotBeNull();
        found.ShouldContain("http://opencalendly.test/auth/verify?token=");
    }

    [Fact]
    public async Task a_first_time_email_names_its_profile_on_the_verify_step_and_the_link_survives_until_it_does()
    {
        var username = Organizers.Unique("late");
        var email = $"{username}@example.com";
        var token = (await _http.Post("/v0/auth/magic-link", new { email })).ShouldBe(200).Json["magicLinkToken"]!.GetValue<string>();

        var preview = (await _http.Post("/v0/auth/magic-link/preview", new { token })).ShouldBe(200).Json;
        preview["newAccount"]!.GetValue<bool>().ShouldBeTrue();
        preview["needsProfile"]!.GetValue<bool>().ShouldBeTrue();
        (await _http.Post("/v0/auth/verify", new { token })).ShouldBeProblem(400, "validation");
        var verified = (await _http.Post("/v0/auth/verify", new { token, username, displayName = "Late Comer", timezone = "Asia/Kolkata" })).ShouldBe(200).Json;
        verified["user"]!["username"]!.GetValue<string>().ShouldBe(username);
        verified["user"]!["timezone"]!.GetValue<string>().ShouldBe("Asia/Kolkata");
    }

    [Fact]
    public async Task a_taken_username_is_a_conflict_on_the_verify_step_and_the_link_survives()
    {
        var organizer = await _http.SignUp();
        var token = (await _http.Post("/v0/auth/magic-link", new { email = "other-" + organizer.Email, username = organizer.Username, displayName = "Other" }))
            .ShouldBe(200).Json["magicLinkToken"]!.GetValue<string>();

        (await _http.Post("/v0/auth/verify", new { token })).ShouldBeProblem(409, "username-taken");
        (await _http.Post("/v0/auth/magic-link/preview", new { token })).ShouldBe(200);
    }

    [Theory]
    [InlineData("Not/AZone")]
    [InlineData("UTC+2")]
    [InlineData("")]
    public async Task an_unknown_time_zone_is_refused_not_replaced_by_utc(string timezone)
    {
        var answer = (await _http.Post("/v0/auth/magic-link", new { email = $"{Organizers.Unique("tz")}@example.com", username = Organizers.Unique("tz"), displayName = "T", timezone }))
            .ShouldBeProblem(400, "validation");
        answer.Json["errors"]!["timezone"].ShouldNotBeNull();
    }

    [Fact]
    public async Task a_magic_link_works_once()
    {
        var username = Organizers.Unique("once");
        var link = (await _http.Post("/v0/auth/magic-link", new { email = $"{username}@example.com", username, displayName = "Once" })).ShouldBe(200);
        var token = link.Json["magicLinkToken"]!.GetValue<string>();

        (await _http.Post("/v0/auth/verify", new { token })).ShouldBe(200);
        (await _http.Post("/v0/auth/verify", new { token })).ShouldBeProblem(400, "invalid-token");
    }

    [Fact]
    public async Task a_magic_link_expires_after_fifteen_minutes()
    {
        async Task<string> Link()
        {
            var username = Organizers.Unique("late");
            return (await _http.Post("/v0/auth/magic-link", new { email = $"{username}@example.com", username, displayName = "Late" })).ShouldBe(200)
                .Json["magicLinkToken"]!.GetValue<string>();
        }
        var (early, late) = (await Link(), await Link());

        await app.Clock.At(DateTimeOffset.UtcNow.AddMinutes(14), async () => (await _http.Post("/v0/auth/verify", new { token = early })).ShouldBe(200));
        await app.Clock.At(DateTimeOffset.UtcNow.AddMinutes(16), async () =>
            (await _http.Post("/v0/auth/verify", new { token = late })).ShouldBeProblem(400, "invalid-token"));
    }

    [Fact]
    public async Task an_existing_user_signs_in_again_with_just_the_email()
    {
        var organizer = await _http.SignUp();

        var link = (await _http.Post("/v0/auth/magic-link", new { email = organizer.Email.ToUpperInvariant() })).ShouldBe(200);
        var verified = (await _http.Post("/v0/auth/verify", new { token = link.Json["magicLinkToken"]!.GetValue<string>() })).ShouldBe(200);

        verified.Json["user"]!["id"]!.GetValue<string>().ShouldBe(organizer.Id);
    }

    [Fact]
    public async Task logout_revokes_the_session()
    {
        var organizer = await _http.SignUp();

        (await _http.Post("/v0/auth/logout", null, organizer.Session)).ShouldBe(200);

        (await _http.Get("/v0/auth/me", organizer.Session)).ShouldBeProblem(401, "unauthorized");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-real-session-token")]
    public async Task a_missing_or_unknown_session_is_unauthorized(string? session)
    {
        (await _http.Get("/v0/auth/me", session)).ShouldBeProblem(401, "unauthorized");
        (await _http.Get("/v0/event-types", session)).ShouldBeProblem(401, "unauthorized");
        (await _http.Put("/v0/me/availability/rules", new { rules = Array.Empty<object>() }, session)).ShouldBeProblem(401, "unauthorized");
    }
}

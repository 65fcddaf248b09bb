using System.Text;

namespace OpenCalendly.Host.Tests;

/// <summary>Every class of bad input gets its contract status and a problem+json body, never a 500.</summary>
[Collection(AppCollection.Name)]
public sealed class BadInputTests(App app)
{
    private readonly HttpClient _http = app.Http;

    public static TheoryData<string, string> Routes => new()
    {
        { "POST", "/v0/auth/magic-link" },
        { "POST", "/v0/auth/verify" },
        { "POST", "/v0/event-types" },
        { "PATCH", "/v0/event-types/{id}" },
        { "PUT", "/v0/me/availability/rules" },
        { "PUT", "/v0/me/availability/overrides" },
        { "POST", "/v0/bookings" },
    };

    private async Task<(string Url, string Session)> Target(string url)
    {
        var (organizer, _, eventTypeId) = await _http.Bookable();
        return (url.Replace("{id}", eventTypeId), organizer.Session);
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task malformed_json_is_a_400(string method, string route)
    {
        var (url, session) = await Target(route);
        foreach (var body in new[] { "{", "{\"name\":", "[1,2", "nul", "{'single':'quotes'}", "{\"a\":1}}" })
            (await _http.Send(new HttpMethod(method), url, body, session, Api.NewKey())).ShouldBeProblem(400, "invalid-json");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task invalid_utf8_is_a_400(string method, string route)
    {
        var (url, session) = await Target(route);
        byte[] body = [.. Encoding.UTF8.GetBytes("{\"name\":\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")];
        (await _http.SendBytes(new HttpMethod(method), url, body, session: session)).ShouldBeProblem(400, "invalid-json");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task a_non_json_body_is_a_415(string method, string route)
    {
        var (url, session) = await Target(route);
        (await _http.Send(new HttpMethod(method), url, "name=x", session, Api.NewKey(), "application/x-www-form-urlencoded"))
            .ShouldBeProblem(415, "unsupported-media-type");
        (await _http.Send(new HttpMethod(method), url, "{}", session, Api.NewKey(), "text/plain")).ShouldBeProblem(415, "unsupported-media-type");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task a_body_over_64_kib_is_a_413(string method, string route)
    {
        var (url, session) = await Target(route);
        var huge = "{\"name\":\"" + new string('x', 10 * 1024 * 1024) + "\"}";
        (await _http.Send(new HttpMethod(method), url, huge, session, Api.NewKey())).ShouldBeProblem(413, "body-too-large");
    }

    [Theory]
    [InlineData("POST", "/v0/event-types", """{"name":123,"slug":"a-b","durationMinutes":30,"locationType":"video"}""", "name")]
    [InlineData("POST", "/v0/event-types", """{"name":"x","slug":"a-b","durationMinutes":"30","locationType":"video"}""", "durationMinutes")]
    [InlineData("POST", "/v0/event-types", """{"name":"x","slug":"a-b","durationMinutes":1e400,"locationType":"video"}""", "durationMinutes")]
    [InlineData("POST", "/v0/event-types", """{"name":"x","slug":"a-b","durationMinutes":99999999999999,"locationType":"video"}""", "durationMinutes")]
    [InlineData("POST", "/v0/event-types", """{"name":"x","slug":"a-b","durationMinutes":30,"locationType":"zoom"}""", "locationType")]
    [InlineData("POST", "/v0/event-types", """{"name":"x","slug":"a-b","durationMinutes":30,"locationType":"video","questions":"all"}""", "questions")]
    [InlineData("PUT", "/v0/me/availability/rules", """{"rules":[{"dayOfWeek":"monday","startMinute":1,"endMinute":2}]}""", "rules[0].dayOfWeek")]
    [InlineData("PUT", "/v0/me/availability/overrides", """{"overrides":[{"startAt":"tomorrow","endAt":"2030-01-01T00:00:00Z","isAvailable":true}]}""", "overrides[0].startAt")]
    [InlineData("PUT", "/v0/me/availability/overrides", """{"overrides":[{"startAt":"2030-01-01T00:00:00","endAt":"2030-01-01T01:00:00Z","isAvailable":true}]}""", "overrides[0].startAt")]
    [InlineData("PUT", "/v0/me/availability/overrides", """{"overrides":[{"startAt":"2030-01-01T00:00:00Z","endAt":"2030-01-01T01:00:00Z","isAvailable":"yes"}]}""", "overrides[0].isAvailable")]
    [InlineData("POST", "/v0/bookings", """{"username":"u","eventSlug":"s","startsAt":12,"inviteeName":"P","inviteeEmail":"p@example.com"}""", "startsAt")]
    [InlineData("POST", "/v0/bookings", """{"username":"u","eventSlug":"s","startsAt":"2030-01-01T09:00:00Z","inviteeName":"P","inviteeEmail":"p@example.com","answers":{"q":5}}""", "answers.q")]
    public async Task a_wrong_type_is_a_400_naming_the_field(string method, string url, string body, string field)
    {
        var organizer = await _http.SignUp();
        var answer = (await _http.Send(new HttpMethod(method), url, body, organizer.Session, Api.NewKey())).ShouldBeProblem(400, "wrong-type");
        answer.Json["errors"]![field].ShouldNotBeNull(answer.Body);
    }

    [Theory]
    [InlineData("""{"email":"a@example.com","username":"ab","displayName":"x"}""", "username")]
    [InlineData("""{"email":"a@example.com","username":"a--b","displayName":"x"}""", "username")]
    [InlineData("""{"email":"not-an-email","username":"abc","displayName":"x"}""", "email")]
    [InlineData("""{"username":"abc","displayName":"x"}""", "email")]
    [InlineData("""{"email":null}""", "email")]
    public async Task magic_link_input_is_validated_field_by_field(string body, string field)
    {
        var answer = (await _http.Post("/v0/auth/magic-link", body)).ShouldBeProblem(400, "validation");
        answer.Json["errors"]![field].ShouldNotBeNull();
    }

    [Fact]
    public async Task over_long_strings_and_control_characters_are_refused()
    {
        var (organizer, slug, _) = await _http.Bookable();

        var answer = (await _http.Post("/v0/bookings", new
        {
            username = organizer.Username, eventSlug = slug, startsAt = "2030-06-03T09:00:00Z",
            inviteeName = new string('n', 121), inviteeEmail = "pat@example.com",
        }, idempotencyKey: Api.NewKey())).ShouldBeProblem(400, "validation");
        answer.Json["errors"]!["inviteeName"].ShouldNotBeNull();

        (await _http.Post("/v0/event-types", new { name = "bad\u0000name", slug = Organizers.Unique("c"), durationMinutes = 30, locationType = "video" }, organizer.Session))
            .ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/event-types", new { name = "x", slug = new string('a', 81), durationMinutes = 30, locationType = "video" }, organizer.Session))
            .ShouldBeProblem(400, "validation");
    }

    [Fact]
    public async Task booking_with_an_unknown_time_zone_is_refused()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var answer = (await _http.Post("/v0/bookings", new
        {
            username = organizer.Username, eventSlug = slug, startsAt = "2030-06-03T09:00:00Z", timezone = "Europe/Atlantis",
            inviteeName = "Pat", inviteeEmail = "pat@example.com",
        }, idempotencyKey: Api.NewKey())).ShouldBeProblem(400, "validation");
        answer.Json["errors"]!["timezone"].ShouldNotBeNull();
    }

    [Fact]
    public async Task unknown_routes_and_methods_answer_with_problems()
    {
        (await _http.Get("/v0/nothing-here")).ShouldBeProblem(404, "not-found");
        (await _http.Send(HttpMethod.Delete, "/v0/event-types", null)).ShouldBeProblem(405, "method-not-allowed");
    }

    [Theory]
    [InlineData("docs")]
    [InlineData("health")]
    public async Task usernames_the_routes_use_are_reserved(string username) =>
        (await _http.Post("/v0/auth/magic-link", new { email = $"{Guid.NewGuid():N}@example.com", username, displayName = "X", timezone = "UTC" }))
            .ShouldBeProblem(400, "validation").Json["errors"]!["username"].ShouldNotBeNull();

    [Fact]
    public async Task unknown_fields_are_ignored()
    {
        var organizer = await _http.SignUp();
        (await _http.Post("/v0/event-types", new { name = "x", slug = Organizers.Unique("u"), durationMinutes = 30, locationType = "video", colour = "red" }, organizer.Session))
            .ShouldBe(200);
    }
}

using System.Net;
using Alba;
namespace OpenCalendly.Host.Tests;

/// <summary>A host of its own with a tiny limit, so the limit can be reached without slowing the main suite.</summary>
public sealed class LimitedApp : App
{
    public const int Permits = 5;
    protected override int PermitsPerMinute => Permits;
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["RateLimiting:ApiKeyPermitsPerMinute"] = Permits.ToString() };
}

[CollectionDefinition(Name)]
public sealed class LimitedCollection : ICollectionFixture<LimitedApp>
{
    public const string Name = "limited";
}

[Collection(LimitedCollection.Name)]
public sealed class RateLimitTests(LimitedApp app)
{
    [Fact]
    public async Task public_routes_answer_429_with_retry_after_once_the_limit_is_spent()
    {
        var answers = new List<Answer>();
        for (var i = 0; i <= LimitedApp.Permits; i++)
            answers.Add(await app.Http.Get($"/v0/users/nobody/event-types/x/availability"));

        answers.Take(LimitedApp.Permits).ShouldAllBe(a => (int)a.Status == 404);
        answers[^1].ShouldBeProblem(429, "rate-limited");
        answers[^1].Headers.RetryAfter.ShouldNotBeNull();

        // Each route scope has its own budget; organizer routes are not limited.
        (await app.Http.Get("/v0/users/nobody/event-types/x")).ShouldBeProblem(404, "not-found");
        (await app.Http.Get("/health")).ShouldBe(200);
    }

    [Fact]
    public async Task an_api_key_has_a_budget_of_its_own_apart_from_the_address_and_other_keys()
    {
        var organizer = await SignUpFrom("192.0.2.44");   // the other tests' sign-ups spend the default address's sign-in budget
        async Task<string> Key(string name) => (await app.Http.Post("/v0/api-keys", new { name, scopes = new[] { "event-types:read" } }, organizer.Session))
            .ShouldBe(200).Json["token"]!.GetValue<string>();
        var (first, second) = (await Key("nightly export"), await Key("dashboard"));

        for (var i = 0; i < LimitedApp.Permits; i++) (await app.Http.Get("/v0/event-types", first)).ShouldBe(200);
        var refused = (await app.Http.Get("/v0/event-types", first)).ShouldBeProblem(429, "rate-limited");
        refused.Headers.RetryAfter.ShouldNotBeNull();
        refused.Json["error"]!.GetValue<string>().ShouldContain("API key");

        // The other key, and the organizer's own session, are not held back by it.
        (await app.Http.Get("/v0/event-types", second)).ShouldBe(200);
        for (var i = 0; i <= LimitedApp.Permits; i++) (await app.Http.Get("/v0/event-types", organizer.Session)).ShouldBe(200);
    }

    /// <summary>A request as if from <paramref name="ip"/>, with the organizer's session when given.</summary>
    private async Task<int> From(string ip, HttpMethod method, string url, string? session = null)
    {
        var result = await app.Host.Scenario(s =>
        {
            s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Parse(ip));
            if (method == HttpMethod.Post) s.Post.Json(new { email = "nobody@example.com" }).ToUrl(url);
            else s.Get.Url(url);
            if (session is not null) s.WithRequestHeader("Authorization", $"Bearer {session}");
            s.WithRequestHeader("Idempotency-Key", Api.NewKey());
            s.IgnoreStatusCode();
        });
        return result.Context.Response.StatusCode;
    }

    private async Task<Organizer> SignUpFrom(string ip)
    {
        var username = Organizers.Unique("org");
        async Task<System.Text.Json.Nodes.JsonNode> Post(string url, object body) => System.Text.Json.Nodes.JsonNode.Parse(
            await (await app.Host.Scenario(s =>
            {
                s.ConfigureHttpContext(c => c.Connection.RemoteIpAddress = IPAddress.Parse(ip));
                s.Post.Json(body).ToUrl(url);
            })).ReadAsTextAsync())!;
        var link = await Post("/v0/auth/magic-link", new { email = $"{username}@example.com", username, displayName = username, timezone = "UTC" });
        var verified = await Post("/v0/auth/verify", new { token = link["magicLinkToken"]!.GetValue<string>() });
        return new Organizer(verified["user"]!["id"]!.GetValue<string>(), username, $"{username}@example.com", verified["sessionToken"]!.GetValue<string>());
    }

    private async Task SpendUntilLimited(string ip, HttpMethod method, string url)
    {
        for (var i = 0; i <= LimitedApp.Permits + 1; i++)
            if (await From(ip, method, url) == 429) return;
        throw new ShouldAssertException($"{url} was never limited.");
    }

    [Fact]
    public async Task organizer_routes_are_not_starved_when_public_scopes_are_spent_from_the_same_address()
    {
        const string ip = "198.51.100.9";
        var organizer = await app.Http.SignUp();
        var teamId = (await app.Http.Post("/v0/teams", new { name = "T", slug = Organizers.Unique("team") }, organizer.Session)).ShouldBe(200)
            .Json["team"]!["id"]!.GetValue<string>();

        await SpendUntilLimited(ip, HttpMethod.Post, "/v0/auth/magic-link");
        await SpendUntilLimited(ip, HttpMethod.Get, "/v0/teams/nothing/event-types/x");
        await SpendUntilLimited(ip, HttpMethod.Post, "/v0/bookings");

        (await From(ip, HttpMethod.Get, "/v0/auth/me", organizer.Session)).ShouldBe(200);
        (await From(ip, HttpMethod.Get, "/v0/teams", organizer.Session)).ShouldBe(200);
        (await From(ip, HttpMethod.Get, $"/v0/teams/{teamId}/members", organizer.Session)).ShouldBe(200);
        (await From(ip, HttpMethod.Get, $"/v0/teams/{teamId}/event-types", organizer.Session)).ShouldBe(200);
        (await From(ip, HttpMethod.Get, $"/v0/bookings/{Guid.NewGuid()}/history", organizer.Session)).ShouldBe(404);
        (await From(ip, HttpMethod.Get, "/v0/event-types", organizer.Session)).ShouldBe(200);
        (await From(ip, HttpMethod.Get, "/v0/me/bookings", organizer.Session)).ShouldBe(200);
    }

    [Fact]
    public async Task the_limit_is_per_client_address_and_ignores_the_paths_case()
    {
        var statuses = new List<int>();
        for (var i = 0; i <= LimitedApp.Permits; i++) statuses.Add(await From("203.0.113.7", HttpMethod.Get, i % 2 == 0 ? "/v0/users/nobody/event-types/x/availability" : "/V0/USERS/nobody/event-types/x/AVAILABILITY"));
        statuses.Take(LimitedApp.Permits).ShouldAllBe(s => s == 404);
        statuses[^1].ShouldBe(429);
        (await From("203.0.113.8", HttpMethod.Get, "/v0/users/nobody/event-types/x/availability")).ShouldBe(404);   // another address has its own budget
    }
}

namespace OpenCalendly.Host.Tests;

/// <summary>A host of its own with a tiny limit, so the limit can be reached without slowing the main suite.</summary>
public sealed class LimitedApp : App
{
    public const int Permits = 5;
    protected override int PermitsPerMinute => Permits;
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
}

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class EventTypeTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private static object NewEventType(string slug) => new
    {
        name = "Intro", slug, durationMinutes = 30, locationType = "phone", locationValue = "+44 20 0000 0000",
        questions = new[] { new { id = "company", label = "Company", required = true, placeholder = "Acme" } },
    };

    [Fact]
    public async Task an_organizer_creates_and_lists_event_types()
    {
        var organizer = await _http.SignUp();
        var slug = Organizers.Unique("intro");

        var created = (await _http.Post("/v0/event-types", NewEventType(slug), organizer.Session)).ShouldBe(200).Json;
        created["eventType"]!["slug"]!.GetValue<string>().ShouldBe(slug);
        created["eventType"]!["isActive"]!.GetValue<bool>().ShouldBeTrue();
        created["eventType"]!["locationType"]!.GetValue<string>().ShouldBe("phone");
        created["eventType"]!["createdAt"]!.GetValue<string>().ShouldMatch(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$");

        var listed = (await _http.Get("/v0/event-types", organizer.Session)).ShouldBe(200).Json["eventTypes"]!.AsArray();
        listed.Count.ShouldBe(1);
        listed[0]!["questions"]![0]!["id"]!.GetValue<string>().ShouldBe("company");
    }

    [Fact]
    public async Task a_duplicate_slug_of_the_same_organizer_is_a_conflict_but_another_organizer_may_use_it()
    {
        var first = await _http.SignUp();
        var second = await _http.SignUp();
        var slug = Organizers.Unique("dup");

        (await _http.Post("/v0/event-types", NewEventType(slug), first.Session)).ShouldBe(200);
        (await _http.Post("/v0/event-types", NewEventType(slug), first.Session)).ShouldBeProblem(409, "duplicate-slug");
        (await _http.Post("/v0/event-types", NewEventType(slug), second.Session)).ShouldBe(200);
    }

    [Fact]
    public async Task patch_changes_only_the_fields_sent_and_deactivation_hides_the_public_page()
    {
        var organizer = await _http.SignUp();
        var slug = Organizers.Unique("p");
        var id = (await _http.Post("/v0/event-types", NewEventType(slug), organizer.Session)).Json["eventType"]!["id"]!.GetValue<string>();

        var patched = (await _http.Patch($"/v0/event-types/{id}", new { durationMinutes = 45, isActive = false }, organizer.Session)).ShouldBe(200).Json;
        patched["eventType"]!["durationMinutes"]!.GetValue<int>().ShouldBe(45);
        patched["eventType"]!["name"]!.GetValue<string>().ShouldBe("Intro");
        patched["eventType"]!["isActive"]!.GetValue<bool>().ShouldBeFalse();

        (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}")).ShouldBeProblem(404, "not-found");
        (await _http.Patch($"/v0/event-types/{id}", new { isActive = true }, organizer.Session)).ShouldBe(200);
        var page = (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}")).ShouldBe(200).Json;
        page["eventType"]!["durationMinutes"]!.GetValue<int>().ShouldBe(45);
        page["organizer"]!["username"]!.GetValue<string>().ShouldBe(organizer.Username);
    }

    [Fact]
    public async Task an_empty_patch_is_refused()
    {
        var organizer = await _http.SignUp();
        var id = (await _http.Post("/v0/event-types", NewEventType(Organizers.Unique("e")), organizer.Session)).Json["eventType"]!["id"]!.GetValue<string>();

        (await _http.Patch($"/v0/event-types/{id}", new { }, organizer.Session)).ShouldBeProblem(400, "empty-update");
        (await _http.Send(HttpMethod.Patch, $"/v0/event-types/{id}", null, organizer.Session)).ShouldBeProblem(400, "body-required");
    }

    [Fact]
    public async Task another_organizers_event_type_is_not_found_and_stays_unchanged()
    {
        var owner = await _http.SignUp();
        var stranger = await _http.SignUp();
        var slug = Organizers.Unique("mine");
        var id = (await _http.Post("/v0/event-types", NewEventType(slug), owner.Session)).Json["eventType"]!["id"]!.GetValue<string>();

        var answer = (await _http.Patch($"/v0/event-types/{id}", new { name = "Hijacked" }, stranger.Session)).ShouldBeProblem(404, "not-found");
        answer.Body.ShouldNotContain(slug);
        (await _http.Patch($"/v0/event-types/{Guid.NewGuid()}", new { name = "x" }, owner.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Patch("/v0/event-types/not-a-guid", new { name = "x" }, owner.Session)).ShouldBeProblem(404, "not-found");

        (await _http.Get("/v0/event-types", stranger.Session)).Json["eventTypes"]!.AsArray().Count.ShouldBe(0);
        (await _http.Get($"/v0/users/{owner.Username}/event-types/{slug}")).Json["eventType"]!["name"]!.GetValue<string>().ShouldBe("Intro");
    }

    [Theory]
    [InlineData("""{"slug":"ok-slug","durationMinutes":30,"locationType":"video"}""", "name")]
    [InlineData("""{"name":"x","slug":"Bad Slug","durationMinutes":30,"locationType":"video"}""", "slug")]
    [InlineData("""{"name":"x","slug":"ok-slug","durationMinutes":4,"locationType":"video"}""", "durationMinutes")]
    [InlineData("""{"name":"x","slug":"ok-slug","durationMinutes":241,"locationType":"video"}""", "durationMinutes")]
    [InlineData("""{"name":"x","slug":"ok-slug","durationMinutes":30}""", "locationType")]
    public async Task invalid_fields_are_named_in_the_errors_map(string body, string field)
    {
        var organizer = await _http.SignUp();

        var answer = (await _http.Post("/v0/event-types", body, organizer.Session)).ShouldBeProblem(400, "validation");
        answer.Json["errors"]![field].ShouldNotBeNull(answer.Body);
    }

    [Fact]
    public async Task more_than_twenty_questions_or_repeated_ids_are_refused()
    {
        var organizer = await _http.SignUp();
        var many = Enumerable.Range(0, 21).Select(i => new { id = $"q{i}", label = "Q", required = false }).ToArray();
        var twice = new[] { new { id = "q", label = "Q", required = false }, new { id = "q", label = "Q2", required = false } };

        (await _http.Post("/v0/event-types", new { name = "x", slug = Organizers.Unique("q"), durationMinutes = 30, locationType = "video", questions = many }, organizer.Session))
            .ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/event-types", new { name = "x", slug = Organizers.Unique("q"), durationMinutes = 30, locationType = "video", questions = twice }, organizer.Session))
            .ShouldBeProblem(400, "validation");
    }
}

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class AvailabilityTests(App app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task rules_and_overrides_are_replaced_whole_and_read_back()
    {
        var organizer = await _http.SignUp();

        (await _http.Put("/v0/me/availability/rules", new
        {
            rules = new[]
            {
                new { dayOfWeek = 1, startMinute = 540, endMinute = 1020, bufferBeforeMinutes = 10, bufferAfterMinutes = 5 },
                new { dayOfWeek = 0, startMinute = 600, endMinute = 720, bufferBeforeMinutes = 0, bufferAfterMinutes = 0 },
            },
        }, organizer.Session)).ShouldBe(200);
        (await _http.Put("/v0/me/availability/overrides", new
        {
            overrides = new[] { new { startAt = "2030-01-07T12:00:00+01:00", endAt = "2030-01-07T13:00:00+01:00", isAvailable = false, reason = "Lunch" } },
        }, organizer.Session)).ShouldBe(200);

        var read = (await _http.Get("/v0/me/availability", organizer.Session)).ShouldBe(200).Json;
        read["rules"]!.AsArray().Count.ShouldBe(2);
        read["rules"]![0]!["bufferBeforeMinutes"]!.GetValue<int>().ShouldBe(10);
        read["rules"]![0]!["id"].ShouldNotBeNull();
        read["overrides"]![0]!["startAt"]!.GetValue<string>().ShouldBe("2030-01-07T11:00:00.000Z");
        read["overrides"]![0]!["reason"]!.GetValue<string>().ShouldBe("Lunch");

        (await _http.Put("/v0/me/availability/rules", new { rules = Array.Empty<object>() }, organizer.Session)).ShouldBe(200);
        (await _http.Get("/v0/me/availability", organizer.Session)).Json["rules"]!.AsArray().Count.ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"rules":[{"dayOfWeek":7,"startMinute":540,"endMinute":600}]}""")]
    [InlineData("""{"rules":[{"dayOfWeek":1,"startMinute":600,"endMinute":600}]}""")]
    [InlineData("""{"rules":[{"dayOfWeek":1,"startMinute":540,"endMinute":1441}]}""")]
    [InlineData("""{"rules":[{"dayOfWeek":1,"startMinute":540,"endMinute":600,"bufferBeforeMinutes":181}]}""")]
    [InlineData("""{"rules":[null]}""")]
    [InlineData("""{}""")]
    public async Task invalid_rules_are_refused(string body)
    {
        var organizer = await _http.SignUp();
        (await _http.Put("/v0/me/availability/rules", body, organizer.Session)).ShouldBeProblem(400, "validation");
    }

    [Fact]
    public async Task more_than_fifty_rules_or_two_hundred_overrides_are_refused()
    {
        var organizer = await _http.SignUp();
        var rules = Enumerable.Range(0, 51).Select(_ => new { dayOfWeek = 1, startMinute = 540, endMinute = 600 });
        var overrides = Enumerable.Range(0, 201).Select(_ => new { startAt = "2030-01-01T00:00:00Z", endAt = "2030-01-01T01:00:00Z", isAvailable = true });

        (await _http.Put("/v0/me/availability/rules", new { rules }, organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Put("/v0/me/availability/overrides", new { overrides }, organizer.Session)).ShouldBeProblem(400, "validation");
    }

    [Fact]
    public async Task an_override_must_end_after_it_starts()
    {
        var organizer = await _http.SignUp();
        (await _http.Put("/v0/me/availability/overrides", new
        {
            overrides = new[] { new { startAt = "2030-01-01T10:00:00Z", endAt = "2030-01-01T10:00:00Z", isAvailable = true } },
        }, organizer.Session)).ShouldBeProblem(400, "validation");
    }

    [Fact]
    public async Task public_slots_follow_the_organizers_wall_clock_across_daylight_saving()
    {
        var (organizer, slug, _) = await _http.Bookable("America/New_York");

        var answer = (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2030-03-09T05:00:00Z&days=3&timezone=Asia/Tokyo")).ShouldBe(200).Json;

        answer["timezone"]!.GetValue<string>().ShouldBe("Asia/Tokyo");
        var starts = answer["slots"]!.AsArray().Select(s => s!["startsAt"]!.GetValue<string>()).ToList();
        starts.ShouldContain("2030-03-09T14:00:00.000Z"); // Saturday 09:00 EST
        starts.ShouldContain("2030-03-10T13:00:00.000Z"); // Sunday 09:00 EDT (DST began at 02:00)
        starts.ShouldBe(starts.Order().Distinct().ToList());
        starts.Count.ShouldBe(3 * 31);
    }

    [Fact]
    public async Task a_booked_slot_disappears_from_availability()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var url = $"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2030-05-06T00:00:00Z&days=1";
        (await _http.Get(url)).Json["slots"]!.AsArray().Count.ShouldBe(31);

        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-05-06T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        var starts = (await _http.Get(url)).Json["slots"]!.AsArray().Select(s => s!["startsAt"]!.GetValue<string>()).ToList();
        starts.ShouldNotContain("2030-05-06T09:45:00.000Z");
        starts.ShouldNotContain("2030-05-06T10:00:00.000Z");
        starts.ShouldNotContain("2030-05-06T10:15:00.000Z");
        starts.ShouldContain("2030-05-06T09:30:00.000Z");
        starts.ShouldContain("2030-05-06T10:30:00.000Z");
    }

    [Fact]
    public async Task changes_to_hours_and_event_types_show_at_once_on_the_public_page()
    {
        var (organizer, slug, eventTypeId) = await _http.Bookable();
        var url = $"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2030-05-13T00:00:00Z&days=1";
        (await _http.Get(url)).Json["slots"]![0]!["startsAt"]!.GetValue<string>().ShouldBe("2030-05-13T09:00:00.000Z");

        (await _http.Put("/v0/me/availability/rules", new { rules = new[] { new { dayOfWeek = 1, startMinute = 600, endMinute = 660 } } }, organizer.Session)).ShouldBe(200);
        (await _http.Get(url)).Json["slots"]![0]!["startsAt"]!.GetValue<string>().ShouldBe("2030-05-13T10:00:00.000Z");

        (await _http.Patch($"/v0/event-types/{eventTypeId}", new { isActive = false }, organizer.Session)).ShouldBe(200);
        (await _http.Get(url)).ShouldBeProblem(404, "not-found");
    }

    [Theory]
    [InlineData("timezone=Mars/Olympus", "timezone")]
    [InlineData("days=0", "days")]
    [InlineData("days=31", "days")]
    [InlineData("days=seven", "days")]
    [InlineData("start=yesterday", "start")]
    [InlineData("start=2030-01-01T00:00:00", "start")]
    public async Task bad_availability_queries_are_refused(string query, string field)
    {
        var (organizer, slug, _) = await _http.Bookable();

        var answer = (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?{query}")).ShouldBeProblem(400, "validation");
        answer.Json["errors"]![field].ShouldNotBeNull();
    }

    [Fact]
    public async Task an_unknown_user_or_slug_is_not_found()
    {
        var (organizer, slug, _) = await _http.Bookable();

        (await _http.Get($"/v0/users/{organizer.Username}/event-types/nope/availability")).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/users/nobody-{Guid.NewGuid():N}/event-types/{slug}")).ShouldBeProblem(404, "not-found");
    }
}

using System.Text.Json.Nodes;

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class TimeOffTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private async Task<string[]> Slots(Organizer organizer, string slug, string start, int days = 1) =>
        [.. (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start={start}&days={days}")).ShouldBe(200)
            .Json["slots"]!.AsArray().Select(s => s!["startsAt"]!.GetValue<string>())];

    [Fact]
    public async Task a_day_off_in_the_organizers_zone_blocks_that_date_reports_bookings_inside_it_and_can_be_removed()
    {
        var (organizer, slug, _) = await _http.Bookable("America/New_York");
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-01-08T15:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        var added = (await _http.Post("/v0/me/time-off", new { startDate = "2030-01-08", reason = "Dentist" }, organizer.Session)).ShouldBe(200).Json;
        added["timeOff"]!["allDay"]!.GetValue<bool>().ShouldBeTrue();
        added["timeOff"]!["endDate"]!.GetValue<string>().ShouldBe("2030-01-08");
        added["timeOff"]!["blocksFrom"]!.GetValue<string>().ShouldBe("2030-01-08T05:00:00.000Z");   // midnight in New York
        added["timeOff"]!["blocksUntil"]!.GetValue<string>().ShouldBe("2030-01-09T05:00:00.000Z");
        var conflict = added["conflicts"]!.AsArray().ShouldHaveSingleItem()!;
        conflict["bookingId"]!.GetValue<string>().ShouldBe(booked.Json["booking"]!["id"]!.GetValue<string>());

        (await Slots(organizer, slug, "2030-01-08T05:00:00Z")).ShouldBeEmpty();
        (await Slots(organizer, slug, "2030-01-09T05:00:00Z")).ShouldNotBeEmpty();
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-01-08T17:00:00Z"), idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(409, "slot-taken");

        var id = added["timeOff"]!["id"]!.GetValue<string>();
        (await _http.Get("/v0/me/time-off", organizer.Session)).Json["timeOff"]!.AsArray().ShouldHaveSingleItem();
        (await _http.Send(HttpMethod.Delete, $"/v0/me/time-off/{id}", null, organizer.Session)).ShouldBe(200);
        (await Slots(organizer, slug, "2030-01-08T05:00:00Z")).ShouldNotBeEmpty();
        (await _http.Send(HttpMethod.Delete, $"/v0/me/time-off/{id}", null, organizer.Session)).ShouldBeProblem(404, "not-found");
    }

    [Fact]
    public async Task timed_time_off_blocks_only_its_hours_and_another_organizer_cannot_remove_it()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var added = (await _http.Post("/v0/me/time-off", new { startAt = "2030-01-07T10:00:00Z", endAt = "2030-01-07T12:00:00Z" }, organizer.Session))
            .ShouldBe(200).Json;
        added["timeOff"]!["allDay"]!.GetValue<bool>().ShouldBeFalse();
        added["conflicts"]!.AsArray().ShouldBeEmpty();

        var slots = await Slots(organizer, slug, "2030-01-07T00:00:00Z");
        slots.ShouldContain("2030-01-07T09:30:00.000Z");
        slots.ShouldNotContain("2030-01-07T09:45:00.000Z");   // would end inside the time off
        slots.ShouldNotContain("2030-01-07T11:30:00.000Z");
        slots.ShouldContain("2030-01-07T12:00:00.000Z");

        var stranger = await _http.SignUp();
        (await _http.Send(HttpMethod.Delete, $"/v0/me/time-off/{added["timeOff"]!["id"]}", null, stranger.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get("/v0/me/time-off", stranger.Session)).Json["timeOff"]!.AsArray().ShouldBeEmpty();
        (await _http.Get("/v0/me/time-off")).ShouldBe(401);
    }

    [Theory]
    [InlineData("""{}""", "startDate")]
    [InlineData("""{"startDate":"2030-01-08","startAt":"2030-01-08T10:00:00Z","endAt":"2030-01-08T11:00:00Z"}""", "startDate")]
    [InlineData("""{"startDate":"2030-01-08","endDate":"2030-01-07"}""", "endDate")]
    [InlineData("""{"startDate":"2030-01-01","endDate":"2031-06-01"}""", "endDate")]
    [InlineData("""{"startDate":"1990-01-01"}""", "startDate")]
    [InlineData("""{"startAt":"2030-01-08T11:00:00Z","endAt":"2030-01-08T10:00:00Z"}""", "endAt")]
    [InlineData("""{"startAt":"2030-01-08T11:00:00Z"}""", "endAt")]
    public async Task malformed_time_off_is_refused_with_the_field(string body, string field)
    {
        var organizer = await _http.SignUp();
        var answer = (await _http.Send(HttpMethod.Post, "/v0/me/time-off", body, organizer.Session)).ShouldBeProblem(400, "validation");
        answer.Json["errors"]![field].ShouldNotBeNull(answer.Body);
    }

    [Theory]
    [InlineData("""{"startDate":"2030-13-01"}""")]
    [InlineData("""{"startDate":20300101}""")]
    [InlineData("""{"startAt":"2030-01-08T10:00:00","endAt":"2030-01-08T11:00:00"}""")]
    public async Task dates_that_do_not_parse_are_a_clear_400(string body)
    {
        var organizer = await _http.SignUp();
        (await _http.Send(HttpMethod.Post, "/v0/me/time-off", body, organizer.Session)).ShouldBeProblem(400, "wrong-type");
    }

    [Fact]
    public async Task a_holiday_preset_imports_each_holiday_once_as_removable_whole_days()
    {
        var (organizer, slug, _) = await _http.Bookable("America/Chicago");
        var preview = (await _http.Get("/v0/me/time-off/holidays?country=US&year=2030", organizer.Session)).ShouldBe(200).Json;
        preview["holidays"]!.AsArray().Count.ShouldBe(11);
        preview["holidays"]!.AsArray().ShouldContain(h => h!["date"]!.GetValue<string>() == "2030-07-04" && h["name"]!.GetValue<string>() == "Independence Day");
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-07-04T15:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        var imported = (await _http.Post("/v0/me/time-off/holidays", new { country = "us", year = 2030 }, organizer.Session)).ShouldBe(200).Json;
        imported["added"]!.AsArray().Count.ShouldBe(11);
        imported["added"]!.AsArray().ShouldAllBe(t => t!["holiday"]!.GetValue<string>() == "US" && t["allDay"]!.GetValue<bool>());
        imported["conflicts"]!.AsArray().ShouldHaveSingleItem()!["bookingId"]!.GetValue<string>()
            .ShouldBe(booked.Json["booking"]!["id"]!.GetValue<string>());
        (await Slots(organizer, slug, "2030-07-04T05:00:00Z")).ShouldBeEmpty();

        var again = (await _http.Post("/v0/me/time-off/holidays", new { country = "US", year = 2030 }, organizer.Session)).ShouldBe(200).Json;
        again["added"]!.AsArray().ShouldBeEmpty();
        again["skipped"]!.GetValue<int>().ShouldBe(11);

        var independence = imported["added"]!.AsArray().First(t => t!["startDate"]!.GetValue<string>() == "2030-07-04")!["id"]!.GetValue<string>();
        (await _http.Send(HttpMethod.Delete, $"/v0/me/time-off/{independence}", null, organizer.Session)).ShouldBe(200);
        (await Slots(organizer, slug, "2030-07-04T05:00:00Z")).ShouldNotBeEmpty();
        (await _http.Get("/v0/me/time-off", organizer.Session)).Json["timeOff"]!.AsArray().Count.ShouldBe(10);
    }

    [Theory]
    [InlineData("/v0/me/time-off/holidays?country=FR&year=2030", "country")]
    [InlineData("/v0/me/time-off/holidays?country=US&year=1999", "year")]
    [InlineData("/v0/me/time-off/holidays?country=US&year=soon", "year")]
    [InlineData("/v0/me/time-off/holidays?year=2030", "country")]
    public async Task unknown_presets_are_refused(string url, string field)
    {
        var organizer = await _http.SignUp();
        (await _http.Get(url, organizer.Session)).ShouldBeProblem(400, "validation").Json["errors"]![field].ShouldNotBeNull();
        var country = url.Contains("country=FR") ? "FR" : url.Contains("country=") ? "US" : null;
        (await _http.Post("/v0/me/time-off/holidays", new { country, year = field == "year" ? 1999 : 2030 }, organizer.Session))
            .ShouldBeProblem(400, "validation");
    }
}

using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class BookingTests(App app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task an_invitee_books_an_offered_slot()
    {
        var (organizer, slug, eventTypeId) = await _http.Bookable();

        var answer = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-03T11:00:00+02:00"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;

        answer["ok"]!.GetValue<bool>().ShouldBeTrue();
        var booking = answer["booking"]!;
        booking["eventTypeId"]!.GetValue<string>().ShouldBe(eventTypeId);
        booking["organizerId"]!.GetValue<string>().ShouldBe(organizer.Id);
        booking["startsAt"]!.GetValue<string>().ShouldBe("2030-06-03T09:00:00.000Z");
        booking["endsAt"]!.GetValue<string>().ShouldBe("2030-06-03T09:30:00.000Z");
        booking["inviteeName"]!.GetValue<string>().ShouldBe("Pat Lee");
        var cancel = answer["actions"]!["cancel"]!;
        cancel["token"]!.GetValue<string>().Length.ShouldBeGreaterThanOrEqualTo(43);
        // At the start, or a year after it was sent when the booking is further away than that (this one is).
        (DateTimeOffset.Parse(cancel["expiresAt"]!.GetValue<string>()) - DateTimeOffset.UtcNow).ShouldBeInRange(TimeSpan.FromDays(364), TimeSpan.FromDays(366));
        cancel["url"]!.GetValue<string>().ShouldBe($"http://opencalendly.test/v0/bookings/actions/{cancel["token"]}/cancel");
        answer["actions"]!["reschedule"]!["lookupUrl"]!.GetValue<string>().ShouldStartWith("http://opencalendly.test/v0/bookings/actions/");
        answer["email"]!["queued"].ShouldNotBeNull();
    }

    [Fact]
    public async Task the_action_tokens_are_stored_only_as_hashes()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var answer = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-03T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var token = answer["actions"]!["cancel"]!["token"]!.GetValue<string>();

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "select count(*) from opencalendly.mt_events where data::text like '%' || $1 || '%'", connection) { Parameters = { new() { Value = token } } };
        ((long)(await command.ExecuteScalarAsync())!).ShouldBe(0);
        await using var docs = new NpgsqlCommand(
            "select count(*) filter (where sealed_body like '%' || $1 || '%'), count(*) filter (where sealed_body is not null) from opencalendly.idempotency_keys",
            connection) { Parameters = { new() { Value = token } } };
        await using var counts = await docs.ExecuteReaderAsync();
        await counts.ReadAsync();
        counts.GetInt64(0).ShouldBe(0);
        counts.GetInt64(1).ShouldBeGreaterThan(0);   // the answer is stored, sealed
    }

    [Theory]
    [InlineData("2030-06-03T09:10:00Z")] // not on a 15-minute step
    [InlineData("2030-06-03T16:45:00Z")] // would end after the window
    [InlineData("2030-06-03T07:00:00Z")] // outside the rules
    [InlineData("2020-06-01T09:00:00Z")] // in the past
    public async Task a_slot_that_is_not_offered_is_refused_as_taken(string startsAt)
    {
        var (organizer, slug, _) = await _http.Bookable();

        var answer = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt), idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(409, "slot-taken");
        answer.Json["error"]!.GetValue<string>().ShouldBe("Selected slot is no longer available.");
    }

    [Fact]
    public async Task forty_concurrent_bookings_of_one_slot_confirm_exactly_one()
    {
        var (organizer, slug, _) = await _http.Bookable();

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-04T09:00:00Z", $"racer{i}@example.com"), idempotencyKey: Api.NewKey())));

        answers.Count(a => (int)a.Status == 200).ShouldBe(1);
        answers.Where(a => (int)a.Status != 200).ShouldAllBe(a => (int)a.Status == 409 && a.Body.Contains("/problems/slot-taken"));
        (await ActiveReservations(organizer.Id)).ShouldBe(1);
    }

    [Fact]
    public async Task concurrent_overlapping_bookings_of_different_lengths_never_both_succeed()
    {
        var organizer = await _http.SignUp();
        (await _http.Put("/v0/me/availability/rules", new { rules = new[] { new { dayOfWeek = 3, startMinute = 540, endMinute = 1020 } } }, organizer.Session)).ShouldBe(200);
        var shortSlug = Organizers.Unique("short");
        var longSlug = Organizers.Unique("long");
        (await _http.Post("/v0/event-types", new { name = "S", slug = shortSlug, durationMinutes = 15, locationType = "video" }, organizer.Session)).ShouldBe(200);
        (await _http.Post("/v0/event-types", new { name = "L", slug = longSlug, durationMinutes = 120, locationType = "video" }, organizer.Session)).ShouldBe(200);

        // Every short slot from 10:00 to 11:45 overlaps the long 10:00–12:00 one.
        string[] shortStarts = ["10:00", "10:15", "10:30", "10:45", "11:00", "11:15", "11:30", "11:45"];
        var requests = shortStarts.Select(t => Bookings.Request(organizer, shortSlug, $"2030-06-05T{t}:00Z"))
            .Append(Bookings.Request(organizer, longSlug, "2030-06-05T10:00:00Z"))
            .ToArray();
        var answers = await Task.WhenAll(requests.Select(r => _http.Post("/v0/bookings", r, idempotencyKey: Api.NewKey())));

        var longWon = (int)answers[^1].Status == 200;
        answers.Take(8).Count(a => (int)a.Status == 200).ShouldBe(longWon ? 0 : 8);
        (await ActiveReservations(organizer.Id)).ShouldBe(longWon ? 1 : 8);
    }

    [Fact]
    public async Task the_database_itself_refuses_overlapping_reservations_of_one_person()
    {
        var user = Guid.NewGuid();
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await Insert(connection, user, "2030-07-01 10:00Z", "2030-07-01 11:00Z");
        await Insert(connection, user, "2030-07-01 11:00Z", "2030-07-01 12:00Z"); // touching is fine

        var refused = await Should.ThrowAsync<PostgresException>(() => Insert(connection, user, "2030-07-01 10:30Z", "2030-07-01 10:45Z"));
        refused.SqlState.ShouldBe(PostgresErrorCodes.ExclusionViolation);

        static async Task Insert(NpgsqlConnection c, Guid userId, string from, string to)
        {
            await using var command = new NpgsqlCommand(
                "insert into opencalendly.slot_reservations (booking_id, user_id, during) values ($1, $2, tstzrange($3::timestamptz, $4::timestamptz, '[)'))", c)
            { Parameters = { new() { Value = Guid.NewGuid() }, new() { Value = userId }, new() { Value = from }, new() { Value = to } } };
            await command.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task buffers_keep_the_time_around_a_booking_free()
    {
        var (organizer, slug, _) = await _http.Bookable(bufferBefore: 15, bufferAfter: 15);
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-06T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-06T10:45:00Z"), idempotencyKey: Api.NewKey())).ShouldBeProblem(409, "slot-taken");
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-06T11:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
    }

    [Fact]
    public async Task required_questions_must_be_answered()
    {
        var (organizer, slug, _) = await _http.Bookable(questions: [new { id = "company", label = "Company", required = true }]);

        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-07T09:00:00Z"), idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(400, "answer-required");
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-07T09:00:00Z", answers: new { company = "  " }), idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(400, "answer-required");
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-07T09:00:00Z", answers: new { company = "Acme" }), idempotencyKey: Api.NewKey()))
            .ShouldBe(200);
    }

    [Fact]
    public async Task booking_an_unknown_or_inactive_event_type_is_not_found()
    {
        var (organizer, slug, id) = await _http.Bookable();
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, "nope", "2030-06-03T09:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBeProblem(404, "not-found");

        (await _http.Patch($"/v0/event-types/{id}", new { isActive = false }, organizer.Session)).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-03T09:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBeProblem(404, "not-found");
    }

    private static async Task<long> ActiveReservations(string userId)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from opencalendly.slot_reservations where user_id = $1 and active", connection)
        { Parameters = { new() { Value = Guid.Parse(userId) } } };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

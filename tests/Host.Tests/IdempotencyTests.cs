using Microsoft.Extensions.DependencyInjection;
using OpenCalendly.Host.Bookings;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class IdempotencyTests(App app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task a_replay_returns_the_same_booking_byte_for_byte()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var key = Api.NewKey();
        var request = Bookings.Request(organizer, slug, "2030-06-10T09:00:00Z");

        var first = (await _http.Post("/v0/bookings", request, idempotencyKey: key)).ShouldBe(200);
        var replay = (await _http.Post("/v0/bookings", request, idempotencyKey: key)).ShouldBe(200);

        replay.Body.ShouldBe(first.Body);
        replay.Json["booking"]!["id"]!.GetValue<string>().ShouldBe(first.Json["booking"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task a_booking_the_database_refuses_at_commit_answers_409_and_its_retry_replays_that_answer()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var key = Api.NewKey();
        var request = Bookings.Request(organizer, slug, "2030-06-11T09:00:00Z");

        // Another writer that skips every lock holds the organizer's 09:00 in a transaction not yet committed: the
        // booking's locked re-check cannot see it, and its insert waits on the exclusion constraint until that commits.
        await using var intruder = new NpgsqlConnection(App.ConnectionString);
        await intruder.OpenAsync();
        await using var transaction = await intruder.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "insert into opencalendly.slot_reservations (booking_id, user_id, during) values ($1, $2, tstzrange('2030-06-11T09:00:00Z', '2030-06-11T09:30:00Z'))",
            intruder, transaction) { Parameters = { new() { Value = Guid.NewGuid() }, new() { Value = Guid.Parse(organizer.Id) } } })
            await insert.ExecuteNonQueryAsync();

        var booking = _http.Post("/v0/bookings", request, idempotencyKey: key);
        await Task.Delay(TimeSpan.FromSeconds(1));
        booking.IsCompleted.ShouldBeFalse();
        await transaction.CommitAsync();

        var refused = (await booking).ShouldBeProblem(409, "slot-taken");
        // The slot frees again: a retry that ran afresh would book it; the stored answer is replayed instead.
        await using (var free = new NpgsqlCommand("delete from opencalendly.slot_reservations where user_id = $1", intruder)
            { Parameters = { new() { Value = Guid.Parse(organizer.Id) } } })
            await free.ExecuteNonQueryAsync();
        (await _http.Post("/v0/bookings", request, idempotencyKey: key)).ShouldBeProblem(409, "slot-taken").Body.ShouldBe(refused.Body);
        (await _http.Get("/v0/me/bookings", organizer.Session)).ShouldBe(200).Json["bookings"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task a_refusal_is_replayed_too_even_after_the_slot_frees_up()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var key = Api.NewKey();
        var request = Bookings.Request(organizer, slug, "2030-06-10T09:05:00Z");

        var first = (await _http.Post("/v0/bookings", request, idempotencyKey: key)).ShouldBeProblem(409, "slot-taken");
        var replay = (await _http.Post("/v0/bookings", request, idempotencyKey: key)).ShouldBeProblem(409, "slot-taken");
        replay.Body.ShouldBe(first.Body);
    }

    [Fact]
    public async Task the_same_key_with_another_body_is_a_conflict()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var key = Api.NewKey();

        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-10T10:00:00Z"), idempotencyKey: key)).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-10T11:00:00Z"), idempotencyKey: key))
            .ShouldBeProblem(409, "idempotency-mismatch");
        (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2030-06-10T00:00:00Z&days=1"))
            .Body.ShouldContain("\"startsAt\":\"2030-06-10T11:00:00.000Z\"");
    }

    [Fact]
    public async Task a_retry_refused_before_it_claims_its_key_still_replays_the_stored_answer()
    {
        var (organizer, slug, eventTypeId) = await _http.Bookable();
        var key = Api.NewKey();
        var request = Bookings.Request(organizer, slug, "2030-06-10T14:00:00Z");
        var first = (await _http.Post("/v0/bookings", request, idempotencyKey: key)).ShouldBe(200);

        // The event type is gone now: the retry is refused before its turn, and the key's answer stands.
        (await _http.Patch($"/v0/event-types/{eventTypeId}", new { isActive = false }, organizer.Session)).ShouldBe(200);
        (await _http.Post("/v0/bookings", request, idempotencyKey: key)).ShouldBe(200).Body.ShouldBe(first.Body);
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-10T15:00:00Z"), idempotencyKey: key))
            .ShouldBeProblem(409, "idempotency-mismatch");
        (await _http.Post("/v0/bookings", request, idempotencyKey: Api.NewKey())).ShouldBeProblem(404, "not-found");
    }

    [Fact]
    public async Task the_same_key_while_the_first_request_is_still_running_is_a_conflict()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var key = Api.NewKey();
        var body = System.Text.Json.JsonSerializer.Serialize(Bookings.Request(organizer, slug, "2030-06-10T12:00:00Z"), System.Text.Json.JsonSerializerOptions.Web);
        await ClaimWithoutAnswer("POST /v0/bookings", key, body, claimedAt: DateTimeOffset.UtcNow.AddSeconds(-5));

        (await _http.Send(HttpMethod.Post, "/v0/bookings", body, idempotencyKey: key)).ShouldBeProblem(409, "idempotency-in-progress");
    }

    [Fact]
    public async Task a_claim_abandoned_by_a_dead_request_is_taken_over_by_the_retry()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var key = Api.NewKey();
        var body = System.Text.Json.JsonSerializer.Serialize(Bookings.Request(organizer, slug, "2030-06-10T13:00:00Z"), System.Text.Json.JsonSerializerOptions.Web);
        await ClaimWithoutAnswer("POST /v0/bookings", key, body, claimedAt: DateTimeOffset.UtcNow.AddMinutes(-3));

        var first = (await _http.Send(HttpMethod.Post, "/v0/bookings", body, idempotencyKey: key)).ShouldBe(200);
        var replay = (await _http.Send(HttpMethod.Post, "/v0/bookings", body, idempotencyKey: key)).ShouldBe(200);
        replay.Body.ShouldBe(first.Body);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("too-short")]
    public async Task booking_requires_an_idempotency_key_of_16_to_200_characters(string? key)
    {
        var (organizer, slug, _) = await _http.Bookable();

        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-10T09:00:00Z"), idempotencyKey: key))
            .ShouldBeProblem(400, "idempotency-key-required");
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-10T09:00:00Z"), idempotencyKey: new string('k', 201)))
            .ShouldBeProblem(400, "idempotency-key-required");
        // Every [Idempotent] mutation, the team booking too, refuses before reading anything else.
        (await _http.Post("/v0/team-bookings", new { teamSlug = "any", eventSlug = "any" }, idempotencyKey: key))
            .ShouldBeProblem(400, "idempotency-key-required");
    }

    [Fact]
    public async Task a_refusal_is_forgotten_sooner_than_a_booking()
    {
        var (organizer, slug, _) = await _http.Bookable();
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-12T09:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        var (booked, refused) = (Api.NewKey(), Api.NewKey());
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-12T10:00:00Z"), idempotencyKey: booked)).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-12T09:00:00Z", "other@example.com"), idempotencyKey: refused))
            .ShouldBeProblem(409, "slot-taken");
        foreach (var key in new[] { booked, refused })
            await Sql($"update opencalendly.idempotency_keys set claimed_at = '2002-01-02Z' where id = '{KeyId("POST /v0/bookings", key)}'");

        // A day's refusal retention has passed for both, a week's booking retention for neither.
        await app.Host.Services.GetRequiredService<Idempotency>().PruneAsync(
            DateTimeOffset.Parse("2001-12-01T00:00:00Z"), CancellationToken.None, refusedBefore: DateTimeOffset.Parse("2002-01-03T00:00:00Z"));

        (await Sql($"select count(*) from opencalendly.idempotency_keys where id = '{KeyId("POST /v0/bookings", booked)}'")).ShouldBe(1L);
        (await Sql($"select count(*) from opencalendly.idempotency_keys where id = '{KeyId("POST /v0/bookings", refused)}'")).ShouldBe(0L);
    }

    [Fact]
    public async Task a_key_past_its_retention_is_forgotten_and_its_retry_is_a_new_request()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var key = Api.NewKey();
        var request = Bookings.Request(organizer, slug, "2030-06-11T09:00:00Z");
        (await _http.Post("/v0/bookings", request, idempotencyKey: key)).ShouldBe(200);
        var young = Api.NewKey();
        await ClaimWithoutAnswer("retention", young, "{}", DateTimeOffset.Parse("2001-12-01T00:00:00Z"));

        // The booking's key is made older than the cut-off; the young claim stays after it.
        await Sql($"update opencalendly.idempotency_keys set claimed_at = '2000-01-01Z' where id = '{KeyId("POST /v0/bookings", key)}'");
        var pruned = await app.Host.Services.GetRequiredService<Idempotency>().PruneAsync(DateTimeOffset.Parse("2001-06-01T00:00:00Z"), CancellationToken.None);

        pruned.ShouldBeGreaterThanOrEqualTo(1);
        (await Sql($"select count(*) from opencalendly.idempotency_keys where id = '{KeyId("retention", young)}'")).ShouldBe(1L);
        // The retry runs anew: its own first attempt holds the slot now.
        (await _http.Post("/v0/bookings", request, idempotencyKey: key)).ShouldBeProblem(409, "slot-taken");
    }

    private static string Hash(string s) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)));

    private static string KeyId(string scope, string key) => Hash($"{scope}\n{key}");

    private static async Task<object?> Sql(string sql)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Stands in for a first request that has claimed the key and not yet answered.</summary>
    private static async Task ClaimWithoutAnswer(string scope, string key, string body, DateTimeOffset claimedAt)
    {
        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "insert into opencalendly.idempotency_keys (id, request_hash, claimed_at) values ($1, $2, $3)", connection)
        {
            Parameters = { new() { Value = KeyId(scope, key) }, new() { Value = Hash(body) }, new() { Value = claimedAt.ToUniversalTime() } },
        };
        await command.ExecuteNonQueryAsync();
    }
}

using Npgsql;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// Public availability reads taken time from a cache: every change must reach the page at once on the node
/// that made it, and through PostgreSQL's notifications from any other writer.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class TakenTimeCacheTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private async Task<List<string>> Starts(string url) =>
        [.. (await _http.Get(url)).ShouldBe(200).Json["slots"]!.AsArray().Select(s => s!["startsAt"]!.GetValue<string>())];

    [Fact]
    public async Task bookings_cancellations_and_reschedules_show_on_a_cached_page_at_once()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var url = $"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2030-06-03T00:00:00Z&days=2";
        (await Starts(url)).Count.ShouldBe(62);

        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-03T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        (await Starts(url)).ShouldNotContain("2030-06-03T10:00:00.000Z");

        (await _http.Post($"/v0/bookings/actions/{booked.Token("cancel")}/cancel", new { })).ShouldBe(200);
        (await Starts(url)).ShouldContain("2030-06-03T10:00:00.000Z");

        var moving = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-06-03T11:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        (await Starts(url)).ShouldNotContain("2030-06-03T11:00:00.000Z");
        (await _http.Post($"/v0/bookings/actions/{moving.Token("reschedule")}/reschedule", new { startsAt = "2030-06-04T14:00:00Z" },
            idempotencyKey: Api.NewKey())).ShouldBe(200);
        var starts = await Starts(url);
        starts.ShouldContain("2030-06-03T11:00:00.000Z");
        starts.ShouldNotContain("2030-06-04T14:00:00.000Z");
        starts.Count.ShouldBe(62 - 3);   // 14:00 and the two half-hour slots that overlap it
    }

    [Fact]
    public async Task a_change_from_another_writer_reaches_the_cached_page_through_postgres()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var url = $"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2030-06-10T00:00:00Z&days=1";
        (await Starts(url)).ShouldContain("2030-06-10T12:00:00.000Z");

        // What another node's booking leaves in the table, written behind this node's back.
        var bookingId = Guid.NewGuid();
        await Sql("insert into opencalendly.slot_reservations (booking_id, user_id, during) values ($1, $2, tstzrange('2030-06-10T12:00:00Z', '2030-06-10T12:30:00Z'))",
            bookingId, Guid.Parse(organizer.Id));
        (await Eventually(url, starts => !starts.Contains("2030-06-10T12:00:00.000Z"))).ShouldBeTrue();

        await Sql("update opencalendly.slot_reservations set active = false where booking_id = $1", bookingId);
        (await Eventually(url, starts => starts.Contains("2030-06-10T12:00:00.000Z"))).ShouldBeTrue();
    }

    /// <summary>Whether the page comes to satisfy <paramref name="condition"/> within five seconds.</summary>
    private async Task<bool> Eventually(string url, Func<List<string>, bool> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(5); DateTime.UtcNow < deadline; await Task.Delay(50))
            if (condition(await Starts(url))) return true;
        return false;
    }

    private async Task Sql(string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(app.DatabaseConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        await command.ExecuteNonQueryAsync();
    }
}

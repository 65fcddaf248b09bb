using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;

/// <summary>
/// Closed-loop load on <c>POST /v0/bookings</c>: N clients book distinct slots spread over many organizers
/// (after a warm-up that is not measured), then rounds of 100 clients racing for one slot.
/// </summary>
public static class BookingLoad
{
    public const int Organizers = 50;

    public static async Task<int> RunAsync(Uri baseUrl, int total, int concurrency)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 128, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = baseUrl };
        var organizers = new List<string>();
        for (var i = 0; i < Organizers; i++) organizers.Add(await SeedAsync(http));
        var start = DateTime.UtcNow.Date.AddDays(60);

        // Slot n of the run: organizer n % N, the (n / N)-th quarter hour from `start`; warm-up slots come first.
        const int warmUp = 200;
        var next = -1;
        async Task<(double Ms, HttpStatusCode Status)> BookNext()
        {
            var n = Interlocked.Increment(ref next);
            var startsAt = start.AddMinutes(15 * (n / Organizers));
            return await Book(http, organizers[n % Organizers], startsAt);
        }
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () => { while (next < warmUp) await BookNext(); })));

        var results = new List<(double Ms, HttpStatusCode Status)>[concurrency];
        var clock = Stopwatch.StartNew();
        var measuredFrom = next + 1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            results[worker] = [];
            while (Volatile.Read(ref next) < measuredFrom + total - 1) results[worker].Add(await BookNext());
        })));
        var elapsed = clock.Elapsed;
        var all = results.SelectMany(r => r).ToList();
        var latencies = all.Select(r => r.Ms).Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  POST /v0/bookings, distinct slots of {Organizers} organizers, {concurrency} clients, {all.Count} bookings after {warmUp} warm-up: " +
            $"{all.Count / elapsed.TotalSeconds:F0} bookings/s, p50 {P(latencies, 0.5):F1} ms, p99 {P(latencies, 0.99):F1} ms, " +
            $"statuses {string.Join(", ", all.GroupBy(r => (int)r.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} × {g.Key}"))}"));

        // 100 clients racing for one slot, five rounds on a fresh organizer, after one unmeasured round (a crowd's
        // first refusals and a hundred new connections are the warm-up of this case, as the 200 bookings were of the last).
        // The emails the bookings queued are sent after each booking's answer; under this load they fall behind
        // (the host's two cores go to the bookings), so the figure that includes them is the end-to-end rate.
        if (await OutboxDrainedAsync() is { } drained)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  their emails all sent {drained.TotalSeconds:F1} s after the last answer: " +
                $"{all.Count / (elapsed + drained).TotalSeconds:F0} bookings/s with their emails"));
        var racer = await SeedAsync(http);
        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => Book(http, racer, start.AddDays(29)))));
        var raced = new List<double>();
        var confirmedPerRound = new List<int>();
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("RACE_ROUNDS"), out var asked) ? asked : 5;
        for (var round = 0; round < rounds; round++)
        {
            var slot = start.AddDays(30).AddHours(round);
            var answers = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => Book(http, racer, slot))));
            raced.AddRange(answers.Select(a => a.Ms));
            confirmedPerRound.Add(answers.Count(a => a.Status == HttpStatusCode.OK));
            if (Environment.GetEnvironmentVariable("RACE_ROUNDS") is not null)
            {
                var round_ = answers.Select(a => a.Ms).Order().ToArray();
                Console.WriteLine($"    round {round}: min {round_[0]:F0} p50 {P(round_, 0.5):F0} p90 {P(round_, 0.9):F0} max {round_[^1]:F0} ms; winner {answers.First(a => a.Status == HttpStatusCode.OK).Ms:F0} ms");
            }
        }
        var racedSorted = raced.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  100 concurrent bookings of one slot, 5 rounds: confirmed per round {string.Join("/", confirmedPerRound)}, " +
            $"p50 {P(racedSorted, 0.5):F1} ms, p99 {P(racedSorted, 0.99):F1} ms"));
        return confirmedPerRound.All(c => c == 1) && all.All(r => r.Status == HttpStatusCode.OK) ? 0 : 1;
    }

    /// <summary>
    /// Waits (up to five minutes) until the host has handled the messages the bookings above queued (their
    /// emails), so the race measures a crowd on an idle host, not a crowd beside the last case's outbox.
    /// How long that took; null without the database's address, or when it did not drain in time.
    /// </summary>
    private static async Task<TimeSpan?> OutboxDrainedAsync()
    {
        if (Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") is not { } connectionString) return null;
        await using var data = Npgsql.NpgsqlDataSource.Create(connectionString);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(5))
        {
            await using var command = data.CreateCommand("select count(*) from opencalendly.wolverine_incoming_envelopes where status = 'Incoming'");
            if ((long)(await command.ExecuteScalarAsync())! == 0) return clock.Elapsed;
            await Task.Delay(250);
        }
        Console.WriteLine("  their emails were not all sent within five minutes; the race below runs beside them");
        return null;
    }

    private static double P(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task<(double Ms, HttpStatusCode Status)> Book(HttpClient http, string username, DateTime startsAt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v0/bookings")
        {
            Content = JsonContent.Create(new
            {
                username, eventSlug = "load", startsAt = startsAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                inviteeName = "Load", inviteeEmail = "load@example.com",
            }),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsStringAsync();
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, response.StatusCode);
    }

    /// <summary>An organizer open around the clock with a 15-minute event type "load".</summary>
    private static async Task<string> SeedAsync(HttpClient http)
    {
        var username = "book-" + Guid.NewGuid().ToString("N")[..10];
        var link = await AvailabilityLoad.Post(http, "/v0/auth/magic-link", new { email = $"{username}@example.com", username, displayName = "Load", timezone = "UTC" });
        var session = (await AvailabilityLoad.Post(http, "/v0/auth/verify", new { token = link["magicLinkToken"]!.GetValue<string>() }))["sessionToken"]!.GetValue<string>();
        using var put = new HttpRequestMessage(HttpMethod.Put, "/v0/me/availability/rules")
        {
            Content = JsonContent.Create(new { rules = Enumerable.Range(0, 7).Select(d => new { dayOfWeek = d, startMinute = 0, endMinute = 1440 }) }),
        };
        put.Headers.Authorization = new("Bearer", session);
        (await http.SendAsync(put)).EnsureSuccessStatusCode();
        await AvailabilityLoad.Post(http, "/v0/event-types", new { name = "Load", slug = "load", durationMinutes = 15, locationType = "video" }, session);
        return username;
    }
}

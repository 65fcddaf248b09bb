using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

/// <summary>
/// Closed-loop load on the public availability route (7 days, 200 bookings in range) and, as the ceiling
/// of the same host in the same run, on the liveness route: N concurrent clients for a fixed time after a warm-up.
/// </summary>
public static class AvailabilityLoad
{
    public static async Task<int> RunAsync(Uri baseUrl, TimeSpan duration, int concurrency)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = baseUrl };
        var (username, slug, start) = await SeedAsync(http);
        var availability = $"/v0/users/{username}/event-types/{slug}/availability?start={start:yyyy-MM-ddTHH:mm:ssZ}&days=7&timezone=Europe/London";

        Console.WriteLine($"closed loop, {concurrency} clients, {duration.TotalSeconds:F0} s after a 3 s warm-up, client on the same machine:");
        Console.WriteLine(await MeasureAsync(http, "/health/live", "GET /health/live (ceiling)", duration, concurrency));
        Console.WriteLine(await MeasureAsync(http, availability, "GET availability, 7 days, 200 bookings", duration, concurrency));
        Console.WriteLine(await MeasureAsync(http, availability.Replace("days=7", "days=30"), "GET availability, 30 days, 200 bookings", duration, concurrency));
        return 0;
    }

    private static async Task<string> MeasureAsync(HttpClient http, string url, string label, TimeSpan duration, int concurrency)
    {
        await RunFor(http, url, TimeSpan.FromSeconds(3), concurrency);
        var (latencies, errors, elapsed) = await RunFor(http, url, duration, concurrency);
        latencies.Sort();
        double P(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        return string.Create(CultureInfo.InvariantCulture,
            $"  {label}: {latencies.Count / elapsed.TotalSeconds:F0} req/s, p50 {P(0.5):F2} ms, p99 {P(0.99):F2} ms, errors {errors}");
    }

    private static async Task<(List<double> Latencies, int Errors, TimeSpan Elapsed)> RunFor(HttpClient http, string url, TimeSpan duration, int concurrency)
    {
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            var local = new List<double>(100_000);
            var errors = 0;
            // Each client reads every answer whole into its own buffer, as a browser receives it, without the
            // copy and the 65 KB array per answer that buffering it in HttpContent costs (the client shares the
            // host's two cores). An answer shorter than its Content-Length, if it sent one, counts as an error.
            var body = new byte[256 * 1024];
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                await using var stream = await response.Content.ReadAsStreamAsync();
                long read = 0;
                for (int n; (n = await stream.ReadAsync(body)) > 0;) read += n;
                if (response.IsSuccessStatusCode && (response.Content.Headers.ContentLength ?? read) == read) local.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                else errors++;
            }
            return (local, errors);
        })).ToArray();
        var results = await Task.WhenAll(workers);
        return ([.. results.SelectMany(r => r.local)], results.Sum(r => r.errors), clock.Elapsed);
    }

    /// <summary>An organizer open every day 08:00–18:00 UTC with 200 bookings in the measured week.</summary>
    private static async Task<(string Username, string Slug, DateTime Start)> SeedAsync(HttpClient http)
    {
        var username = "load-" + Guid.NewGuid().ToString("N")[..10];
        var link = await Post(http, "/v0/auth/magic-link", new { email = $"{username}@example.com", username, displayName = "Load", timezone = "UTC" });
        var session = (await Post(http, "/v0/auth/verify", new { token = link["magicLinkToken"]!.GetValue<string>() }))["sessionToken"]!.GetValue<string>();
        using var put = new HttpRequestMessage(HttpMethod.Put, "/v0/me/availability/rules")
        {
            Content = JsonContent.Create(new { rules = Enumerable.Range(0, 7).Select(d => new { dayOfWeek = d, startMinute = 8 * 60, endMinute = 18 * 60 }) }),
        };
        put.Headers.Authorization = new("Bearer", session);
        (await http.SendAsync(put)).EnsureSuccessStatusCode();
        await Post(http, "/v0/event-types", new { name = "Load", slug = "load", durationMinutes = 15, locationType = "video" }, session);

        var start = DateTime.UtcNow.Date.AddDays(14);
        var booked = 0;
        for (var day = 0; day < 7 && booked < 200; day++)
            for (var quarter = 0; quarter < 40 && booked < 200; quarter += 1, booked++)
                await Post(http, "/v0/bookings", new
                {
                    username, eventSlug = "load", startsAt = start.AddDays(day).AddHours(8).AddMinutes(15 * quarter).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    inviteeName = "Load", inviteeEmail = "load@example.com",
                }, idempotencyKey: Guid.NewGuid().ToString("N"));
        return (username, "load", start);
    }

    /// <summary>Posts JSON and fails loudly on anything but success (the load scenarios' setup calls).</summary>
    internal static async Task<JsonNode> Post(HttpClient http, string url, object body, string? session = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (session is not null) request.Headers.Authorization = new("Bearer", session);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {text}");
        return JsonNode.Parse(text)!;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

/// <summary>
/// Closed-loop load on <c>POST /v0/analytics/funnel/events</c>: N clients post page views and slot selections
/// spread over several booking pages of one organizer until <c>total</c> events are in. The events stay in the
/// database for the rebuild figure that scripts/bench takes next.
/// </summary>
public static class FunnelLoad
{
    public const int Pages = 20;

    public static async Task<int> RunAsync(Uri baseUrl, int total, int concurrency)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(10) };
        using var http = new HttpClient(handler) { BaseAddress = baseUrl };
        var username = "funnel-" + Guid.NewGuid().ToString("N")[..10];
        var link = await AvailabilityLoad.Post(http, "/v0/auth/magic-link", new { email = $"{username}@example.com", username, displayName = "Funnel", timezone = "UTC" });
        var session = (await AvailabilityLoad.Post(http, "/v0/auth/verify", new { token = link["magicLinkToken"]!.GetValue<string>() }))["sessionToken"]!.GetValue<string>();
        for (var page = 0; page < Pages; page++)
            await AvailabilityLoad.Post(http, "/v0/event-types", new { name = $"Page {page}", slug = $"page-{page}", durationMinutes = 30, locationType = "video" }, session);

        var next = -1;
        var errors = 0;
        var latencies = new List<double>[concurrency];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var local = latencies[worker] = new List<double>(total / concurrency + 1);
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/v0/analytics/funnel/events",
                    new { username, eventSlug = $"page-{i % Pages}", stage = i % 3 == 0 ? "slot_selection" : "page_view" });
                if (response.IsSuccessStatusCode) local.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                else Interlocked.Increment(ref errors);
            }
        })));
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToList();
        double P(double p) => all.Count == 0 ? double.NaN : all[Math.Min(all.Count - 1, (int)Math.Ceiling(p * all.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  POST /v0/analytics/funnel/events, {total:N0} events over {Pages} pages, {concurrency} clients: {all.Count / elapsed.TotalSeconds:F0} events/s, p50 {P(0.5):F2} ms, p99 {P(0.99):F2} ms, errors {errors}"));
        return errors == 0 ? 0 : 1;
    }
}

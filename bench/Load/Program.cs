using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Load scenarios against a running host (started with Webhooks:AllowPrivateTargets=true and a high rate limit).
// Usage: OpenCalendly.Bench.Load <host base url> webhooks [bookings=200]
//        OpenCalendly.Bench.Load <host base url> availability [seconds=10] [concurrency=32]
//        OpenCalendly.Bench.Load <host base url> funnel [events=100000] [concurrency=32]
//        OpenCalendly.Bench.Load <host base url> bookings [bookings=10000] [concurrency=32]
//        OpenCalendly.Bench.Load <host base url> seed-events [events=1000000]   (straight to the host's event store, ConnectionStrings__Postgres)
if (args.ElementAtOrDefault(1) == "seed-events")
    return await EventSeed.RunAsync(
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres") ?? throw new ArgumentException("Set ConnectionStrings__Postgres to the host's database."),
        int.Parse(args.ElementAtOrDefault(2) ?? "1000000", CultureInfo.InvariantCulture));
var baseUrl = args.ElementAtOrDefault(0) ?? throw new ArgumentException("Pass the host's base URL.");
if (args.ElementAtOrDefault(1) == "bookings")
    return await BookingLoad.RunAsync(new Uri(baseUrl), int.Parse(args.ElementAtOrDefault(2) ?? "10000", CultureInfo.InvariantCulture),
        int.Parse(args.ElementAtOrDefault(3) ?? "32", CultureInfo.InvariantCulture));
if (args.ElementAtOrDefault(1) == "funnel")
    return await FunnelLoad.RunAsync(new Uri(baseUrl), int.Parse(args.ElementAtOrDefault(2) ?? "100000", CultureInfo.InvariantCulture),
        int.Parse(args.ElementAtOrDefault(3) ?? "32", CultureInfo.InvariantCulture));
if (args.ElementAtOrDefault(1) == "availability")
    return await AvailabilityLoad.RunAsync(new Uri(baseUrl),
        TimeSpan.FromSeconds(int.Parse(args.ElementAtOrDefault(2) ?? "10", CultureInfo.InvariantCulture)),
        int.Parse(args.ElementAtOrDefault(3) ?? "32", CultureInfo.InvariantCulture));
var count = int.Parse(args.ElementAtOrDefault(2) ?? "200", CultureInfo.InvariantCulture);

var arrivals = new ConcurrentDictionary<string, long>();
var builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.ClearProviders();
var receiver = builder.Build();
receiver.MapPost("/hook", async (HttpContext http) =>
{
    var arrived = Stopwatch.GetTimestamp();
    var body = await JsonNode.ParseAsync(http.Request.Body);
    arrivals.TryAdd(body!["payload"]!["bookingId"]!.GetValue<string>(), arrived);
    return Results.NoContent();
});
await receiver.StartAsync();
var hookUrl = receiver.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/hook";

using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
var username = "bench-" + Guid.NewGuid().ToString("N")[..10];
var link = await Post("/v0/auth/magic-link", new { email = $"{username}@example.com", username, displayName = "Bench", timezone = "UTC" });
var session = (await Post("/v0/auth/verify", new { token = link["magicLinkToken"]!.GetValue<string>() }))["sessionToken"]!.GetValue<string>();
http.DefaultRequestHeaders.Authorization = new("Bearer", session);
await Put("/v0/me/availability/rules", new { rules = Enumerable.Range(0, 7).Select(d => new { dayOfWeek = d, startMinute = 0, endMinute = 1440 }) });
await Post("/v0/event-types", new { name = "Bench", slug = "bench", durationMinutes = 15, locationType = "video" });
await Post("/v0/webhooks", new { url = hookUrl, events = new[] { "booking.created" }, secret = "bench-secret" });
http.DefaultRequestHeaders.Authorization = null;

var committed = new Dictionary<string, long>();
var start = DateTimeOffset.UtcNow.Date.AddDays(30);
var clock = Stopwatch.StartNew();
for (var i = 0; i < count; i++)
{
    var booking = await Post("/v0/bookings", new
    {
        username, eventSlug = "bench", startsAt = start.AddMinutes(15 * i).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        inviteeName = "Bench", inviteeEmail = "bench@example.com",
    }, idempotencyKey: Guid.NewGuid().ToString("N"));
    committed[booking["booking"]!["id"]!.GetValue<string>()] = Stopwatch.GetTimestamp();
}
var bookingSeconds = clock.Elapsed.TotalSeconds;

var deadline = DateTime.UtcNow.AddSeconds(60);
while (arrivals.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
var delays = committed.Where(c => arrivals.ContainsKey(c.Key))
    .Select(c => Stopwatch.GetElapsedTime(c.Value, arrivals[c.Key]).TotalMilliseconds).Order().ToArray();
await receiver.StopAsync();

Console.WriteLine($"webhook delay, commit answer → receipt, {count} sequential bookings ({count / bookingSeconds:F0} bookings/s):");
Console.WriteLine($"  received {delays.Length}/{count}; p50 {Percentile(0.50):F1} ms, p99 {Percentile(0.99):F1} ms, max {delays.LastOrDefault():F1} ms");
return delays.Length == count ? 0 : 1;

double Percentile(double p) => delays.Length == 0 ? double.NaN : delays[Math.Min(delays.Length - 1, (int)Math.Ceiling(p * delays.Length) - 1)];

async Task<JsonNode> Post(string url, object body, string? idempotencyKey = null)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
    if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {text}");
    return JsonNode.Parse(text)!;
}

async Task Put(string url, object body)
{
    using var response = await http.PutAsJsonAsync(url, body);
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
}

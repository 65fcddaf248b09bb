using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// An integrator's endpoint on 127.0.0.1. <c>/hook/ok</c> answers 200, <c>/hook/flaky</c> 500 twice per
/// delivery then 200, <c>/hook/down</c> always 500, <c>/hook/switch</c> follows <see cref="Up"/>, <c>/hook/hang</c> never answers.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string Path, string Body, IReadOnlyDictionary<string, string> Headers, int AnsweredWith)
    {
        public string DeliveryId => Headers["X-OpenCalendly-Delivery-Id"];

        /// <summary>Verifies the signature the way an integrator would: recompute HMAC-SHA256 over "t.body".</summary>
        public bool SignatureValid(string secret)
        {
            var parts = Headers["X-OpenCalendly-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{parts["t"]}.{Body}")));
            return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(parts["v1"]))
                && parts["t"] == Headers["X-OpenCalendly-Signature-Timestamp"]
                && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(parts["t"])) < 300;
        }
    }

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _flakyCounts = new();

    public ConcurrentQueue<Received> Requests { get; } = new();
    public bool Up { get; set; } = true;
    public string BaseUrl { get; }

    private WebhookReceiver(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    public static async Task<WebhookReceiver> StartAsync()
    {
        WebhookReceiver? receiver = null;
        var (app, baseUrl) = await LocalServer.StartAsync(app => app.MapPost("/hook/{mode}", async (string mode, HttpContext http) =>
        {
            // A receiver that never answers: holds the request until the sender gives up.
            if (mode == "hang") await Task.Delay(Timeout.Infinite, http.RequestAborted).ContinueWith(_ => { });
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = http.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            var status = receiver!.Answer(mode, headers.GetValueOrDefault("X-OpenCalendly-Delivery-Id") ?? "");
            receiver.Requests.Enqueue(new Received(http.Request.Path, body, headers, status));
            return Results.StatusCode(status);
        }));
        receiver = new WebhookReceiver(app, baseUrl);
        return receiver;
    }

    public string Url(string mode) => $"{BaseUrl}/hook/{mode}";

    private int Answer(string mode, string deliveryId) => mode switch
    {
        "ok" => 200,
        "flaky" => _flakyCounts.AddOrUpdate(deliveryId, 1, (_, n) => n + 1) <= 2 ? 500 : 200,
        "switch" => Up ? 204 : 503,
        _ => 500,
    };

    public IReadOnlyList<Received> About(string bookingId) => [.. Requests.Where(r => r.Body.Contains(bookingId))];

    public async Task<IReadOnlyList<Received>> WaitFor(Func<IReadOnlyList<Received>, bool> done, string bookingId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!done(About(bookingId)) && DateTime.UtcNow < deadline) await Task.Delay(50);
        return About(bookingId);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// A local stand-in for Resend's REST API on 127.0.0.1: it answers <c>POST /emails</c> the way Resend does,
/// records every request, and can fail on demand to exercise retries.
/// </summary>
public sealed class ResendStandIn : IAsyncDisposable
{
    public const string ApiKey = "re_test_key";

    public sealed record Request(string Path, string? Authorization, string? IdempotencyKey, JsonNode Body, int AnsweredWith);

    private readonly WebApplication _app;
    private int _failuresLeft;

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>While true, every request answers 503 as if the provider were down.</summary>
    public bool Down { get; set; }

    public string BaseUrl { get; }

    private ResendStandIn(WebApplication app, string baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    public static async Task<ResendStandIn> StartAsync()
    {
        ResendStandIn? standIn = null;
        var (app, baseUrl) = await LocalServer.StartAsync(app => app.MapPost("/emails", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) ?? new JsonObject();
            var status = standIn!.Answer(http.Request.Headers.Authorization.ToString());
            standIn.Requests.Enqueue(new Request(http.Request.Path, http.Request.Headers.Authorization, http.Request.Headers["Idempotency-Key"], body, status));
            return status == 200
                ? Results.Json(new { id = "re_" + Guid.NewGuid().ToString("N") })
                : Results.Json(new { statusCode = status, name = "application_error", message = "Stand-in failure" }, statusCode: status);
        }));
        standIn = new ResendStandIn(app, baseUrl);
        return standIn;
    }

    /// <summary>The next <paramref name="count"/> requests answer 500.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public IReadOnlyList<Request> For(string deliveryPrefix) =>
        [.. Requests.Where(r => r.IdempotencyKey?.StartsWith(deliveryPrefix, StringComparison.Ordinal) == true)];

    public async Task<IReadOnlyList<Request>> WaitForSuccesses(string deliveryPrefix, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (For(deliveryPrefix).Count(r => r.AnsweredWith == 200) < count && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        return For(deliveryPrefix);
    }

    private int Answer(string authorization)
    {
        if (authorization != $"Bearer {ApiKey}") return 401;
        if (Down) return 503;
        return Interlocked.Decrement(ref _failuresLeft) >= 0 ? 500 : 200;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

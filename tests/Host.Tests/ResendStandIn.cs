using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

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
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        ResendStandIn? standIn = null;
        app.MapPost("/emails", async (HttpContext http) =>
        {
            var body = await JsonNode.ParseAsync(http.Request.Body) ?? new JsonObject();
            var status = standIn!.Answer(http.Request.Headers.Authorization.ToString());
            standIn.Requests.Enqueue(new Request(http.Request.Path, http.Request.Headers.Authorization, http.Request.Headers["Idempotency-Key"], body, status));
            return status == 200
                ? Results.Json(new { id = "re_" + Guid.NewGuid().ToString("N") })
                : Results.Json(new { statusCode = status, name = "application_error", message = "Stand-in failure" }, statusCode: status);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        standIn = new ResendStandIn(app, address);
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

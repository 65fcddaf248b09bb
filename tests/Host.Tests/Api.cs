using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenCalendly.Host.Tests;

/// <summary>An answer as the client sees it: status, raw body and parsed JSON.</summary>
public sealed record Answer(HttpStatusCode Status, string Body, HttpResponseHeaders Headers, string? ContentType)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("Empty body.");

    public Answer ShouldBe(int status)
    {
        ((int)Status).ShouldBe(status, Body);
        return this;
    }

    /// <summary>Asserts the contract's error shape: problem+json, ok:false, a sentence, and the stable type.</summary>
    public Answer ShouldBeProblem(int status, string type)
    {
        ShouldBe(status);
        ContentType.ShouldBe("application/problem+json");
        Json["ok"]!.GetValue<bool>().ShouldBeFalse();
        Json["error"]!.GetValue<string>().ShouldNotBeNullOrWhiteSpace();
        Json["type"]!.GetValue<string>().ShouldBe($"/problems/{type}", Body);
        Body.ShouldNotContain("   at ");
        return this;
    }
}

public static class Api
{
    public static Task<Answer> Get(this HttpClient http, string url, string? session = null) =>
        http.Send(HttpMethod.Get, url, null, session);

    public static Task<Answer> Post(this HttpClient http, string url, object? body, string? session = null, string? idempotencyKey = null) =>
        http.Send(HttpMethod.Post, url, body, session, idempotencyKey);

    public static Task<Answer> Put(this HttpClient http, string url, object? body, string? session = null) =>
        http.Send(HttpMethod.Put, url, body, session);

    public static Task<Answer> Patch(this HttpClient http, string url, object? body, string? session = null) =>
        http.Send(HttpMethod.Patch, url, body, session);

    /// <summary>Sends <paramref name="body"/> as JSON, or verbatim when it is a string (to send malformed bodies).</summary>
    public static async Task<Answer> Send(this HttpClient http, HttpMethod method, string url, object? body,
        string? session = null, string? idempotencyKey = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            var text = body as string ?? JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
            request.Content = new StringContent(text, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (session is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Read(await http.SendAsync(request));
    }

    public static async Task<Answer> SendBytes(this HttpClient http, HttpMethod method, string url, byte[] body, string contentType = "application/json", string? session = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (session is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", session);
        return await Read(await http.SendAsync(request));
    }

    private static async Task<Answer> Read(HttpResponseMessage response)
    {
        using (response)
            return new Answer(response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers,
                response.Content.Headers.ContentType?.MediaType);
    }

    public static string NewKey() => "key-" + Guid.NewGuid().ToString("N");
}

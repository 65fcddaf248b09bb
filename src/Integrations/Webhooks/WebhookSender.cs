using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OpenCalendly.Integrations.Webhooks;

/// <summary>One attempt to deliver a webhook, as the sender saw it.</summary>
public sealed record WebhookAttempt(bool Succeeded, int? Status, string? Error);

/// <summary>What goes out: the exact body (identical on every retry) and the ids receivers de-duplicate by.</summary>
public sealed record WebhookRequest(Uri Url, string Secret, string Body, Guid DeliveryId, Guid EventId, string EventType);

/// <summary>
/// Signs and POSTs a delivery: <c>X-OpenCalendly-Signature: t=&lt;unix&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.body")&gt;</c>.
/// 2xx is success; anything else, a redirect (never followed), a timeout or a network error is a failed attempt.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients)
{
    public const string ClientName = "webhooks";
    private const int MaxErrorBody = 512;

    public static string Sign(string secret, long timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    public async Task<WebhookAttempt> SendAsync(WebhookRequest request, DateTimeOffset now, CancellationToken ct)
    {
        var timestamp = now.ToUnixTimeSeconds();
        using var message = new HttpRequestMessage(HttpMethod.Post, request.Url)
        {
            Content = new StringContent(request.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        message.Headers.Add("X-OpenCalendly-Signature", $"t={t},v1={Sign(request.Secret, timestamp, request.Body)}");
        message.Headers.Add("X-OpenCalendly-Signature-Timestamp", t);
        message.Headers.Add("X-OpenCalendly-Delivery-Id", request.DeliveryId.ToString());
        message.Headers.Add("X-OpenCalendly-Event", request.EventType);
        message.Headers.Add("X-OpenCalendly-Event-Id", request.EventId.ToString());
        message.Headers.UserAgent.Add(new ProductInfoHeaderValue("OpenCalendly-Webhooks", "1"));

        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode) return new WebhookAttempt(true, status, null);
            return new WebhookAttempt(false, status, $"HTTP {status}: {await ReadCapped(response, ct)}".TrimEnd(' ', ':'));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new WebhookAttempt(false, null, e is TaskCanceledException ? "Timed out." : e.Message);
        }
    }

    private static async Task<string> ReadCapped(HttpResponseMessage response, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[MaxErrorBody];
        var read = 0;
        int n;
        while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct)) > 0) read += n;
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}

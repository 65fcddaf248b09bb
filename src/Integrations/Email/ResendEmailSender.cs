using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Serialization;

namespace OpenCalendly.Integrations.Email;

public sealed record ResendSettings(string ApiKey, string From);

/// <summary>
/// Resend's REST API (<c>POST /emails</c>) through a typed HttpClient: the Resend package is not on our
/// registry. The delivery id is sent as Resend's <c>Idempotency-Key</c>, so a retry after a lost answer
/// does not send twice.
/// </summary>
public sealed class ResendEmailSender(IHttpClientFactory clients, ResendSettings settings) : IEmailSender
{
    /// <summary>The named HttpClient whose base address is Resend's API (configuration decides which).</summary>
    public const string ClientName = "resend";

    public string Provider => "resend";

    public async Task SendAsync(EmailMessage message, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "emails")
        {
            Content = JsonContent.Create(new ResendEmail(
                settings.From, [message.To], message.Subject, message.HtmlBody, message.TextBody,
                message.Attachments?.Select(a => new ResendAttachment(a.FileName, Convert.ToBase64String(Encoding.UTF8.GetBytes(a.Content)), a.ContentType)).ToArray())),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", settings.ApiKey);
        request.Headers.Add("Idempotency-Key", message.DeliveryId);

        using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellation);
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellation);
            throw new HttpRequestException(
                $"Resend answered {(int)response.StatusCode}: {(detail.Length > 300 ? detail[..300] : detail)}", null, response.StatusCode);
        }
    }

    private sealed record ResendEmail(
        [property: JsonPropertyName("from")] string From,
        [property: JsonPropertyName("to")] string[] To,
        [property: JsonPropertyName("subject")] string Subject,
        [property: JsonPropertyName("html"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Html,
        [property: JsonPropertyName("text")] string Text,
        [property: JsonPropertyName("attachments"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ResendAttachment[]? Attachments);

    private sealed record ResendAttachment(
        [property: JsonPropertyName("filename")] string FileName,
        [property: JsonPropertyName("content")] string Content,
        [property: JsonPropertyName("content_type")] string ContentType);
}

using System.Text.Json;
using Marten;
using OpenCalendly.Integrations.Email;
using OpenCalendly.Integrations.Secrets;

namespace OpenCalendly.Host.Email;

/// <summary>
/// The durable message behind every email. The email itself travels sealed (it carries action and
/// sign-in links), so the outbox tables never hold a token in the clear.
/// </summary>
public sealed record SendEmail(string DeliveryId, string Kind, Guid? BookingId, string SealedEmail);

public enum EmailDeliveryStatus { Pending, Succeeded, Failed }

/// <summary>One email's delivery record: every attempt's outcome, for retries and the operator-health view.</summary>
public sealed class EmailDelivery
{
    public string Id { get; set; } = "";
    public string Kind { get; set; } = "";
    public Guid? BookingId { get; set; }
    public string Provider { get; set; } = "";
    public EmailDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class EmailOutbox(SecretBox secrets)
{
    public static void Apply(StoreOptions opts) => opts.Schema.For<EmailDelivery>().Index(x => x.BookingId);

    public SendEmail Seal(EmailMessage email) =>
        new(email.DeliveryId, email.Kind, email.BookingId, secrets.Seal(JsonSerializer.Serialize(email)));

    public EmailMessage? Open(SendEmail message) =>
        secrets.Open(message.SealedEmail) is { } json ? JsonSerializer.Deserialize<EmailMessage>(json) : null;
}

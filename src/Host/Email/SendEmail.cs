using System.IO.Compression;
using System.Text.Json;
using Marten;
using OpenCalendly.Integrations.Email;
using OpenCalendly.Integrations.Secrets;

namespace OpenCalendly.Host.Email;

/// <summary>
/// The durable message behind every email. The email itself travels sealed (it carries action and
/// sign-in links), so the outbox tables never hold a token in the clear; deflated before it is sealed,
/// since every queued email is a row in the inbox and, until it is sent, an object in memory.
/// Messages queued before <see cref="Deflated"/> existed read it as false and open as they were sealed.
/// </summary>
public sealed record SendEmail(string DeliveryId, string Kind, Guid? BookingId, string SealedEmail, bool Deflated = false);

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

    public SendEmail Seal(EmailMessage email)
    {
        using var deflated = new MemoryStream();
        using (var deflate = new DeflateStream(deflated, CompressionLevel.Fastest, leaveOpen: true)) JsonSerializer.Serialize(deflate, email);
        return new(email.DeliveryId, email.Kind, email.BookingId, secrets.Seal(deflated.GetBuffer().AsSpan(0, (int)deflated.Length)), Deflated: true);
    }

    public EmailMessage? Open(SendEmail message)
    {
        if (secrets.OpenBytes(message.SealedEmail) is not { } clear) return null;
        if (!message.Deflated) return JsonSerializer.Deserialize<EmailMessage>(clear);
        using var inflate = new DeflateStream(new MemoryStream(clear), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<EmailMessage>(inflate);
    }
}

namespace OpenCalendly.Integrations.Email;

/// <summary>A file carried by an email, such as an <c>invite.ics</c>.</summary>
public sealed record EmailAttachment(string FileName, string ContentType, string Content);

/// <summary>
/// An email ready to go. <see cref="DeliveryId"/> names it stably (kind, booking, recipient) so a
/// retry or a restart never sends one that already went out; providers that support it get it as their
/// idempotency key or Message-Id.
/// </summary>
public sealed record EmailMessage(
    string DeliveryId,
    string Kind,
    string To,
    string Subject,
    string TextBody,
    string? HtmlBody = null,
    IReadOnlyList<EmailAttachment>? Attachments = null,
    Guid? BookingId = null);

/// <summary>Delivers an email; throws when delivery fails so the outbox retries it.</summary>
public interface IEmailSender
{
    /// <summary>The provider's name, recorded with each attempt.</summary>
    string Provider { get; }

    Task SendAsync(EmailMessage message, CancellationToken cancellation);
}

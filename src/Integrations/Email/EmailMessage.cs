namespace OpenCalendly.Integrations.Email;

/// <summary>An email ready to go: the durable outbox carries it, a sender delivers it.</summary>
public sealed record EmailMessage(string Kind, string To, string Subject, string TextBody, string? HtmlBody = null);

/// <summary>Delivers an email; throws when delivery fails so the outbox retries it.</summary>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellation);
}

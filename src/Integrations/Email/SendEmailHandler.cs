namespace OpenCalendly.Integrations.Email;

/// <summary>Runs after the sending transaction commits; a throw leaves the message in the durable inbox for retry.</summary>
public static class SendEmailHandler
{
    public static Task Handle(EmailMessage message, IEmailSender sender, CancellationToken cancellation) =>
        sender.SendAsync(message, cancellation);
}

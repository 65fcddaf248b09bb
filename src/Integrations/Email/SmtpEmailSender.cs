using MailKit.Net.Smtp;
using MailKit.Security;

namespace OpenCalendly.Integrations.Email;

public sealed record SmtpSettings(string Host, int Port, string? Username, string? Password, bool UseStartTls, string From);

/// <summary>Sends through any SMTP server with MailKit, one connection per message.</summary>
public sealed class SmtpEmailSender(SmtpSettings settings) : IEmailSender
{
    public string Provider => "smtp";

    public async Task SendAsync(EmailMessage message, CancellationToken cancellation)
    {
        using var client = new SmtpClient { Timeout = 30_000 };
        await client.ConnectAsync(settings.Host, settings.Port,
            settings.UseStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None, cancellation);
        if (!string.IsNullOrEmpty(settings.Username))
            await client.AuthenticateAsync(settings.Username, settings.Password ?? "", cancellation);
        await client.SendAsync(MimeMessages.Build(message, settings.From), cancellation);
        await client.DisconnectAsync(quit: true, cancellation);
    }
}

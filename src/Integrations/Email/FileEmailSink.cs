using MimeKit;

namespace OpenCalendly.Integrations.Email;

/// <summary>
/// The development sink: each email becomes an RFC 5322 <c>.eml</c> file under a folder, readable by any
/// mail client and by tests. Real providers (SMTP, Resend) replace it by configuration.
/// </summary>
public sealed class FileEmailSink(string folder, string from, TimeProvider clock) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellation)
    {
        Directory.CreateDirectory(folder);
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.Headers.Add("X-OpenCalendly-Kind", message.Kind);
        mime.Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody();

        var path = Path.Combine(folder, $"{clock.GetUtcNow():yyyyMMddTHHmmssfff}-{message.Kind}-{mime.MessageId}.eml");
        var temp = path + ".tmp";
        await mime.WriteToAsync(temp, cancellation);
        File.Move(temp, path);
    }
}

using MimeKit;

namespace OpenCalendly.Integrations.Email;

public static class MimeMessages
{
    /// <summary>Text and HTML alternatives, plus attachments; an ICS attachment keeps its <c>method</c> parameter.</summary>
    public static MimeMessage Build(EmailMessage message, string from)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        mime.MessageId = $"{Sanitize(message.DeliveryId)}@opencalendly";
        mime.Headers.Add("X-OpenCalendly-Kind", message.Kind);

        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        foreach (var attachment in message.Attachments ?? [])
            body.Attachments.Add(attachment.FileName, System.Text.Encoding.UTF8.GetBytes(attachment.Content), ContentType.Parse(attachment.ContentType));
        mime.Body = body.ToMessageBody();
        return mime;
    }

    private static string Sanitize(string id) => new([.. id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '.')]);
}

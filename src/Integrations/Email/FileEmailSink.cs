namespace OpenCalendly.Integrations.Email;

/// <summary>
/// The development provider: each email becomes an RFC 5322 <c>.eml</c> file under a folder, readable
/// by any mail client and by tests.
/// </summary>
public sealed class FileEmailSink(string folder, string from) : IEmailSender
{
    public string Provider => "file";

    public async Task SendAsync(EmailMessage message, CancellationToken cancellation)
    {
        Directory.CreateDirectory(folder);
        var mime = MimeMessages.Build(message, from);
        // Named by delivery id: a repeated send overwrites instead of adding a second copy.
        var path = Path.Combine(folder, $"{(mime.MessageId ?? "message").Replace('@', '_')}.eml");
        var temp = path + ".tmp";
        await mime.WriteToAsync(temp, cancellation);
        File.Move(temp, path, overwrite: true);
    }
}

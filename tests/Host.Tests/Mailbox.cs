using Ical.Net;
using MimeKit;

namespace OpenCalendly.Host.Tests;

/// <summary>Reads what the development email sink wrote.</summary>
public static class Mailbox
{
    /// <summary>Waits for the messages whose delivery ids start with <paramref name="prefix"/>.</summary>
    public static async Task<IReadOnlyList<MimeMessage>> WaitFor(string folder, string prefix, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        var fileStart = prefix.Replace(':', '.');
        while (true)
        {
            var files = Directory.Exists(folder) ? Directory.GetFiles(folder, fileStart + "*.eml") : [];
            if (files.Length >= count || DateTime.UtcNow > deadline)
                return [.. files.Order().Select(f => MimeMessage.Load(f))];
            await Task.Delay(100);
        }
    }

    public static Calendar Invitation(MimeMessage message)
    {
        var part = message.BodyParts.OfType<MimePart>().Single(p => p.ContentType.MimeType == "text/calendar");
        using var stream = new MemoryStream();
        part.Content!.DecodeTo(stream);
        return Calendar.Load(System.Text.Encoding.UTF8.GetString(stream.ToArray()))!;
    }
}

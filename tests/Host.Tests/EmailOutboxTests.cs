using System.Security.Cryptography;
using System.Text.Json;
using OpenCalendly.Host.Email;
using OpenCalendly.Integrations.Email;
using OpenCalendly.Integrations.Secrets;

namespace OpenCalendly.Host.Tests;

public sealed class EmailOutboxTests
{
    private static readonly SecretBox Secrets = new("k1", new Dictionary<string, byte[]> { ["k1"] = RandomNumberGenerator.GetBytes(32) });

    private static readonly EmailMessage Email = new(
        "booking-confirmed:1:invitee", "booking-confirmed", "ada@example.com", "Confirmed: Intro call",
        string.Concat(Enumerable.Repeat("Your booking is confirmed. Manage it here: https://example.com/manage/abc\n", 12)),
        string.Concat(Enumerable.Repeat("<p>Your booking is confirmed. <a href=\"https://example.com/manage/abc\">Manage it</a></p>", 12)),
        [new EmailAttachment("invite.ics", "text/calendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")],
        Guid.NewGuid());

    [Fact]
    public void an_email_is_deflated_sealed_and_opens_as_it_was()
    {
        var outbox = new EmailOutbox(Secrets);
        var message = outbox.Seal(Email);

        message.Deflated.ShouldBeTrue();
        var opened = outbox.Open(message).ShouldNotBeNull();
        opened.ShouldBe(Email with { Attachments = opened.Attachments });
        opened.Attachments.ShouldNotBeNull().Single().ShouldBe(Email.Attachments![0]);
        message.SealedEmail.ShouldNotContain("example.com");
        // Smaller than the same email sealed without deflating, as queued before.
        message.SealedEmail.Length.ShouldBeLessThan(Secrets.Seal(JsonSerializer.Serialize(Email)).Length / 2);
    }

    [Fact]
    public void an_email_queued_before_deflating_still_opens()
    {
        // The shape a message queued by the previous version has in the inbox: no Deflated property.
        var queued = JsonSerializer.Serialize(new { DeliveryId = Email.DeliveryId, Kind = Email.Kind, BookingId = Email.BookingId, SealedEmail = Secrets.Seal(JsonSerializer.Serialize(Email)) });
        var message = JsonSerializer.Deserialize<SendEmail>(queued).ShouldNotBeNull();

        message.Deflated.ShouldBeFalse();
        new EmailOutbox(Secrets).Open(message).ShouldNotBeNull().Subject.ShouldBe(Email.Subject);
    }

    [Fact]
    public void a_tampered_email_does_not_open()
    {
        var outbox = new EmailOutbox(Secrets);
        var message = outbox.Seal(Email);
        var tampered = message with { SealedEmail = message.SealedEmail[..^8] + (message.SealedEmail[^8] == 'A' ? "B" : "A") + message.SealedEmail[^7..] };

        outbox.Open(tampered).ShouldBeNull();
    }
}

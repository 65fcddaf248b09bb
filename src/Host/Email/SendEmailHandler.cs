using Marten;
using OpenCalendly.Host.Api;
using OpenCalendly.Integrations.Email;
using Wolverine;

namespace OpenCalendly.Host.Email;

/// <summary>
/// Sends one email after the transaction that asked for it committed. A delivery that succeeded is never
/// sent again (the record is checked first), whatever retries or restarts replay the message; a failure is
/// recorded and rethrown so Wolverine's durable retry schedule takes over.
/// </summary>
public static class SendEmailHandler
{
    public static async Task Handle(
        SendEmail message, Envelope envelope, IDocumentStore store, IEmailSender sender, EmailOutbox outbox,
        RetrySchedule retries, TimeProvider clock, ILogger<SendEmail> logger, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        var delivery = await session.LoadAsync<EmailDelivery>(message.DeliveryId, ct)
            ?? new EmailDelivery { Id = message.DeliveryId, Kind = message.Kind, BookingId = message.BookingId, CreatedAt = now };
        if (delivery.Status == EmailDeliveryStatus.Succeeded) return;

        delivery.Provider = sender.Provider;
        delivery.Attempts++;
        delivery.UpdatedAt = now;
        var email = outbox.Open(message);
        if (email is null)
        {
            // Sealed with a key this node no longer has: retrying cannot help.
            (delivery.Status, delivery.LastError) = (EmailDeliveryStatus.Failed, "The email cannot be decrypted with the configured secrets keys.");
            logger.LogError("Email {DeliveryId} cannot be decrypted; it is marked failed.", message.DeliveryId);
            await Save(session, delivery, ct);
            return;
        }

        try
        {
            await sender.SendAsync(email, ct);
            (delivery.Status, delivery.LastError) = (EmailDeliveryStatus.Succeeded, null);
            await Save(session, delivery, ct);
            Telemetry.Delivery("email", "succeeded");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var final = envelope.Attempts >= retries.MaxAttempts;
            (delivery.Status, delivery.LastError) = (final ? EmailDeliveryStatus.Failed : EmailDeliveryStatus.Pending, Truncate(e.Message));
            await Save(session, delivery, CancellationToken.None);
            Telemetry.Delivery("email", final ? "failed" : "retried");
            throw;
        }
    }

    private static async Task Save(IDocumentSession session, EmailDelivery delivery, CancellationToken ct)
    {
        session.Store(delivery);
        await session.SaveChangesAsync(ct);
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500];
}

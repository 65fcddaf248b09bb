using Marten;
using OpenCalendly.Host.Api;
using Npgsql;
using OpenCalendly.Projections;
using OpenCalendly.Integrations.Secrets;
using OpenCalendly.Integrations.Webhooks;
using Wolverine;

namespace OpenCalendly.Host.Webhooks;

/// <summary>Attempt delivery <c>DeliveryId</c> now (if it is still due).</summary>
public sealed record DeliverWebhook(Guid DeliveryId);

/// <summary>
/// One delivery attempt inside the caller's transaction: an advisory lock per delivery keeps two nodes
/// (or the scheduled message and a manual run) from attempting it at once; the record and the next
/// attempt's scheduled message commit together.
/// </summary>
public sealed class WebhookAttempts(WebhookSender sender, SecretBox secrets, WebhookSettings settings, TimeProvider clock)
{
    public async Task<DeliveryOutcome> RunAsync(IDocumentSession session, IMessageContext messages, Guid deliveryId, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        if (!await TryLock(session.Connection!, deliveryId, ct))
        {
            // Someone else holds it right now; look again shortly rather than drop the attempt.
            await messages.ScheduleAsync(new DeliverWebhook(deliveryId), TimeSpan.FromSeconds(5));
            return DeliveryOutcome.Skipped;
        }

        var now = clock.GetUtcNow();
        var delivery = await session.LoadAsync<WebhookDelivery>(deliveryId, ct);
        // Not due: it is done, or a later attempt is already scheduled by whoever retried it.
        if (delivery is not { Status: WebhookDeliveryStatus.Pending } || delivery.NextAttemptAt > now) return DeliveryOutcome.Skipped;

        var subscription = await session.LoadAsync<WebhookSubscription>(delivery.SubscriptionId, ct);
        var secret = subscription is null ? null : secrets.Open(subscription.SealedSecret);
        var attempt = subscription is not { IsActive: true } ? new WebhookAttempt(false, null, "The subscription is no longer active.")
            : secret is null ? new WebhookAttempt(false, null, "The subscription's secret cannot be decrypted with the configured keys.")
            : await sender.SendAsync(new WebhookRequest(new Uri(subscription.Url), secret, delivery.Body, delivery.Id, delivery.EventId, delivery.EventType), now, ct);

        delivery.Attempts++;
        (delivery.LastAttemptAt, delivery.LastStatus, delivery.LastError) = (now, attempt.Status, attempt.Error);
        var outcome = DeliveryOutcomes.After(attempt.Succeeded, retryable: subscription is { IsActive: true } && secret is not null,
            delivery.Attempts, settings.MaxAttempts);
        delivery.Status = outcome switch
        {
            DeliveryOutcome.Succeeded => WebhookDeliveryStatus.Succeeded,
            DeliveryOutcome.Failed => WebhookDeliveryStatus.Failed,
            _ => WebhookDeliveryStatus.Pending,
        };
        if (outcome == DeliveryOutcome.Retried)
        {
            var delay = settings.DelayAfter(delivery.Attempts);
            delivery.NextAttemptAt = now + delay;
            await messages.ScheduleAsync(new DeliverWebhook(delivery.Id), delay);
        }
        session.Store(delivery);
        Telemetry.Delivery("webhook", outcome.ToString().ToLowerInvariant());
        return outcome;
    }

    /// <summary>The delivery's last four bytes under a webhook prefix, so its keys keep clear of the other locks' space.</summary>
    private static Task<bool> TryLock(NpgsqlConnection connection, Guid deliveryId, CancellationToken ct) =>
        AdvisoryLocks.TryTakeAsync(connection, (0x0EB400L << 32) | (uint)BitConverter.ToInt32(deliveryId.ToByteArray(), 12), ct);
}

/// <summary>Runs by itself for every queued delivery and every scheduled retry.</summary>
public static class DeliverWebhookHandler
{
    public static async Task Handle(DeliverWebhook message, IDocumentSession session, IMessageContext messages, WebhookAttempts attempts, CancellationToken ct)
    {
        await attempts.RunAsync(session, messages, message.DeliveryId, ct);
        await session.SaveChangesAsync(ct);
    }
}

using Marten;
using OpenCalendly.Host.Api;
using OpenCalendly.Projections;
using OpenCalendly.Integrations.Secrets;
using OpenCalendly.Integrations.Webhooks;
using Wolverine;

namespace OpenCalendly.Host.Webhooks;

/// <summary>Attempt delivery <c>DeliveryId</c> now (if it is still due).</summary>
public sealed record DeliverWebhook(Guid DeliveryId);

/// <summary>
/// One delivery attempt in three steps, so no transaction and no pooled connection is held while a receiver takes its
/// time: a short transaction claims the delivery (a lease, under an advisory lock so two nodes cannot both claim it),
/// the call runs with nothing open, and the caller's session records the outcome and the next attempt's scheduled
/// message together. Gates on this node bound the attempts in flight per subscription and per organizer; an attempt
/// that finds its gate full for half a second is put back a few seconds later without using up an attempt, so one
/// organizer's slow receiver never occupies the workers everyone's deliveries share.
/// </summary>
public sealed class WebhookAttempts(IDocumentStore store, WebhookSender sender, SecretBox secrets, WebhookSettings settings, TimeProvider clock)
{
    private readonly ConcurrencyGate _perSubscription = new(settings.ConcurrentPerSubscription);
    private readonly ConcurrencyGate _perOrganizer = new(settings.ConcurrentPerOrganizer);

    /// <summary>How long an attempt waits for its gate before it is put back: a burst to a fast receiver passes, a hung one does not hold workers.</summary>
    private static readonly TimeSpan GateWait = TimeSpan.FromMilliseconds(500);

    public async Task<DeliveryOutcome> RunAsync(IDocumentSession session, IMessageContext messages, Guid deliveryId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = await session.LoadAsync<WebhookDelivery>(deliveryId, ct);
        // Not due: it is done, or a later attempt is already scheduled by whoever retried it.
        if (due is not { Status: WebhookDeliveryStatus.Pending } || due.NextAttemptAt > now) return DeliveryOutcome.Skipped;

        if (!await _perSubscription.TryEnterAsync(due.SubscriptionId, GateWait, ct)) return await LaterAsync(messages, deliveryId);
        try
        {
            if (!await _perOrganizer.TryEnterAsync(due.OrganizerId, GateWait, ct)) return await LaterAsync(messages, deliveryId);
            try
            {
                return await AttemptAsync(session, messages, deliveryId, ct);
            }
            finally
            {
                _perOrganizer.Exit(due.OrganizerId);
            }
        }
        finally
        {
            _perSubscription.Exit(due.SubscriptionId);
        }
    }

    private async Task<DeliveryOutcome> AttemptAsync(IDocumentSession session, IMessageContext messages, Guid deliveryId, CancellationToken ct)
    {
        var claimId = Guid.NewGuid();
        if (await ClaimAsync(deliveryId, claimId, ct) is not { } claimed) return DeliveryOutcome.Skipped;
        if (claimed.Busy) return await LaterAsync(messages, deliveryId);
        var (delivery, subscription) = (claimed.Delivery!, claimed.Subscription);

        var now = clock.GetUtcNow();
        var secret = subscription is null ? null : secrets.Open(subscription.SealedSecret);
        var attempt = subscription is not { IsActive: true } ? new WebhookAttempt(false, null, "The subscription is no longer active.")
            : secret is null ? new WebhookAttempt(false, null, "The subscription's secret cannot be decrypted with the configured keys.")
            : await sender.SendAsync(new WebhookRequest(new Uri(subscription.Url), secret, delivery.Body, delivery.Id, delivery.EventId, delivery.EventType), now, ct);

        // Record under our claim; if the lease ran out and another attempt took over, its record wins.
        var current = await session.LoadAsync<WebhookDelivery>(deliveryId, ct);
        if (current is null || current.ClaimId != claimId) return DeliveryOutcome.Skipped;
        current.Attempts++;
        (current.LastAttemptAt, current.LastStatus, current.LastError) = (now, attempt.Status, attempt.Error);
        (current.ClaimId, current.ClaimedUntil) = (null, null);
        var outcome = DeliveryOutcomes.After(attempt.Succeeded, retryable: subscription is { IsActive: true } && secret is not null,
            current.Attempts, settings.MaxAttempts);
        current.Status = outcome switch
        {
            DeliveryOutcome.Succeeded => WebhookDeliveryStatus.Succeeded,
            DeliveryOutcome.Failed => WebhookDeliveryStatus.Failed,
            _ => WebhookDeliveryStatus.Pending,
        };
        if (outcome == DeliveryOutcome.Retried)
        {
            var delay = settings.DelayAfter(current.Attempts);
            current.NextAttemptAt = now + delay;
            await messages.ScheduleAsync(new DeliverWebhook(current.Id), delay);
        }
        session.Store(current);
        Telemetry.Delivery("webhook", outcome.ToString().ToLowerInvariant());
        return outcome;
    }

    private sealed record Claim(bool Busy, WebhookDelivery? Delivery, WebhookSubscription? Subscription);

    /// <summary>
    /// Takes the delivery for this attempt in its own short transaction (committed before the call starts): a session of
    /// its own because the handler's session commits only when the handler ends, after the call.
    /// </summary>
    private async Task<Claim?> ClaimAsync(Guid deliveryId, Guid claimId, CancellationToken ct)
    {
        await using var claim = store.LightweightSession();
        await claim.BeginTransactionAsync(ct);
        if (!await claim.Connection!.TryTakeAsync(LockKind.WebhookDelivery, deliveryId, ct)) return new Claim(true, null, null);
        var now = clock.GetUtcNow();
        var delivery = await claim.LoadAsync<WebhookDelivery>(deliveryId, ct);
        if (delivery is not { Status: WebhookDeliveryStatus.Pending } || delivery.NextAttemptAt > now) return null;
        if (delivery.ClaimedUntil > now) return new Claim(true, null, null);
        (delivery.ClaimId, delivery.ClaimedUntil) = (claimId, now + settings.ClaimLease);
        claim.Store(delivery);
        var subscription = await claim.LoadAsync<WebhookSubscription>(delivery.SubscriptionId, ct);
        await claim.SaveChangesAsync(ct);
        return new Claim(false, delivery, subscription);
    }

    /// <summary>Someone else holds it, or this node already has enough in flight for its receiver: look again shortly.</summary>
    private static async Task<DeliveryOutcome> LaterAsync(IMessageContext messages, Guid deliveryId)
    {
        await messages.ScheduleAsync(new DeliverWebhook(deliveryId), Backoff.Soon());
        return DeliveryOutcome.Skipped;
    }
}

/// <summary>Runs by itself for every queued delivery and every scheduled retry; Wolverine's middleware commits the session.</summary>
public static class DeliverWebhookHandler
{
    public static Task Handle(DeliverWebhook message, IDocumentSession session, IMessageContext messages, WebhookAttempts attempts, CancellationToken ct) =>
        attempts.RunAsync(session, messages, message.DeliveryId, ct);
}

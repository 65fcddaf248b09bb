using System.Text.Json;
using Marten;
using Microsoft.Extensions.Options;
using Wolverine;

namespace OpenCalendly.Host.Webhooks;

/// <summary>
/// Queues one delivery per matching active subscription, in the transaction of the booking change that
/// caused it: the delivery records and their durable messages commit (or vanish) with the events.
/// </summary>
public sealed class WebhookQueue(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
{
    /// <summary>Queues a delivery for each of <paramref name="subscriptions"/> (the organizer's active ones) that wants <paramref name="eventType"/>.</summary>
    public async Task<int> QueueAsync(
        IDocumentSession session, IMessageBus bus, IReadOnlyList<WebhookSubscription> subscriptions, Guid organizerId, string eventType, Guid eventId,
        object payload, DateTimeOffset now)
    {
        var matching = subscriptions.Where(s => s.Events.Contains(eventType)).ToList();
        if (matching.Count == 0) return 0;

        var body = JsonSerializer.Serialize(new { id = eventId, type = eventType, createdAt = now, payload }, json.Value.SerializerOptions);
        foreach (var subscription in matching)
        {
            var delivery = new WebhookDelivery
            {
                Id = Guid.CreateVersion7(), SubscriptionId = subscription.Id, OrganizerId = organizerId, EventId = eventId,
                EventType = eventType, Body = body, Status = WebhookDeliveryStatus.Pending, NextAttemptAt = now, CreatedAt = now,
            };
            session.Store(delivery);
            await bus.PublishAsync(new DeliverWebhook(delivery.Id));
        }
        return matching.Count;
    }
}

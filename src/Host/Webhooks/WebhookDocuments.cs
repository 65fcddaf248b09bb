using Marten;
using OpenCalendly.Host.Api;

namespace OpenCalendly.Host.Webhooks;

public static class WebhookEvents
{
    public const string Created = "booking.created";
    public const string Canceled = "booking.canceled";
    public const string Rescheduled = "booking.rescheduled";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Created, Canceled, Rescheduled };
}

/// <summary>An organizer's subscription. The secret is sealed at rest and never returned.</summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public string Url { get; set; } = "";
    public List<string> Events { get; set; } = [];
    public string SealedSecret { get; set; } = "";
    public bool IsActive { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public enum WebhookDeliveryStatus { Pending, Succeeded, Failed }

/// <summary>
/// One event for one subscription. Its id and event id stay the same on every attempt, and so does the
/// body, so a receiver can de-duplicate; it is never sent again once it succeeded.
/// </summary>
public sealed class WebhookDelivery
{
    public Guid Id { get; set; }
    public Guid SubscriptionId { get; set; }
    public Guid OrganizerId { get; set; }
    public Guid EventId { get; set; }
    public string EventType { get; set; } = "";
    public string Body { get; set; } = "";
    public WebhookDeliveryStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The attempt that holds it, until when: the claim is taken and released in short transactions, never across the call.</summary>
    public Guid? ClaimId { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
}

/// <summary>Webhook delivery settings (section <c>Webhooks</c>).</summary>
public sealed record WebhookSettings(
    bool AllowPrivateTargets, TimeSpan RetryBase, TimeSpan RetryCap, int MaxAttempts, TimeSpan Timeout,
    int MaxSubscriptions = 25, int ConcurrentPerOrganizer = 6, int ConcurrentPerSubscription = 2, int ConcurrentAttempts = 32)
{
    public static WebhookSettings From(IConfiguration config) => new(
        config.GetValue("Webhooks:AllowPrivateTargets", false),
        TimeSpan.FromSeconds(config.GetValue("Webhooks:RetryBaseSeconds", 30.0)),
        TimeSpan.FromSeconds(config.GetValue("Webhooks:RetryCapSeconds", 3600.0)),
        config.GetValue("Webhooks:MaxAttempts", 6),
        TimeSpan.FromSeconds(config.GetValue("Webhooks:TimeoutSeconds", 10.0)),
        config.GetValue("Webhooks:MaxSubscriptionsPerOrganizer", 25),
        config.GetValue("Webhooks:ConcurrentPerOrganizer", 6),
        config.GetValue("Webhooks:ConcurrentPerSubscription", 2),
        config.GetValue("Webhooks:ConcurrentAttempts", 32));

    /// <summary>How long a claimed attempt keeps others off: the call's timeout plus a margin for the two short transactions.</summary>
    public TimeSpan ClaimLease => Timeout + TimeSpan.FromSeconds(30);

    /// <summary>The wait after failed attempt <paramref name="attempt"/> (1-based): base, doubling, capped.</summary>
    public TimeSpan DelayAfter(int attempt) => Backoff.DelayAfter(attempt, RetryBase, RetryCap);

    public static void Apply(StoreOptions opts)
    {
        opts.Schema.For<WebhookSubscription>().Index(x => x.OrganizerId).UseOptimisticConcurrency(true);
        opts.Schema.For<WebhookDelivery>().Index(x => x.OrganizerId).Index(x => x.SubscriptionId);
    }
}

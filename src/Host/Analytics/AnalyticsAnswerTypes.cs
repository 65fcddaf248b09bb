namespace OpenCalendly.Host.Analytics;

// The analytics answers as records, so /openapi/v1.json describes them.

/// <summary>The days an answer covers, inclusive, in UTC.</summary>
public sealed record DateRangeJson(DateOnly StartDate, DateOnly EndDate);

public sealed record FunnelAnswer(
    bool Ok, DateRangeJson Range, FunnelTotalJson Summary, IReadOnlyList<FunnelEventTypeJson> ByEventType, IReadOnlyList<FunnelDayJson> Daily);

public sealed record DeliveryCountsJson(int Total, int Pending, int Succeeded, int Failed);

public sealed record EmailTypeCountsJson(string EmailType, int Total, int Pending, int Succeeded, int Failed);

public sealed record EmailDeliveryCountsJson(int Total, int Pending, int Succeeded, int Failed, IReadOnlyList<EmailTypeCountsJson> ByType);

public sealed record OperatorHealthAnswer(bool Ok, DateRangeJson Range, DeliveryCountsJson WebhookDeliveries, EmailDeliveryCountsJson EmailDeliveries);

public sealed record RoundRobinAssignmentJson(
    Guid TeamEventTypeId, Guid? TeamId, string TeamName, Guid EventTypeId, string EventTypeName, Guid MemberUserId, string MemberDisplayName,
    int Assignments);

public sealed record CollectiveBookingsJson(Guid TeamEventTypeId, Guid? TeamId, string TeamName, Guid EventTypeId, string EventTypeName, int Bookings);

public sealed record TeamAnalyticsAnswer(
    bool Ok, DateRangeJson Range, IReadOnlyList<RoundRobinAssignmentJson> RoundRobinAssignments, IReadOnlyList<CollectiveBookingsJson> CollectiveBookings);

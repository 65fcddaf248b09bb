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

/// <param name="Weight">The member's round-robin weight now (0 for one no longer in the pool).</param>
/// <param name="WeightShare">Their weight over the pool's total weight now: the share of assignments fair round robin steers them toward.</param>
/// <param name="AssignmentShare">Their share of the event type's assignments in the range.</param>
public sealed record RoundRobinAssignmentJson(
    Guid TeamEventTypeId, Guid? TeamId, string TeamName, Guid EventTypeId, string EventTypeName, Guid MemberUserId, string MemberDisplayName,
    int Assignments, int Weight, int Priority, double WeightShare, double AssignmentShare);

public sealed record CollectiveBookingsJson(Guid TeamEventTypeId, Guid? TeamId, string TeamName, Guid EventTypeId, string EventTypeName, int Bookings);

public sealed record TeamAnalyticsAnswer(
    bool Ok, DateRangeJson Range, IReadOnlyList<RoundRobinAssignmentJson> RoundRobinAssignments, IReadOnlyList<CollectiveBookingsJson> CollectiveBookings);

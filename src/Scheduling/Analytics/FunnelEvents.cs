namespace OpenCalendly.Scheduling.Analytics;

/// <summary>The stages a booking page reports; the last one, a confirmed booking, the server records itself.</summary>
public enum FunnelStage { PageView, SlotSelection }

/// <summary>An invitee opened an event type's booking page.</summary>
public sealed record BookingPageViewed(Guid EventTypeId, Guid OrganizerId, DateTimeOffset ViewedAt);

/// <summary>An invitee picked a slot on the booking page.</summary>
public sealed record SlotSelected(Guid EventTypeId, Guid OrganizerId, DateTimeOffset SelectedAt);

/// <summary>Funnel events go to one stream per event type and UTC day: appended without an aggregate, read by projections.</summary>
public static class FunnelStream
{
    public static Guid Id(Guid eventTypeId, DateOnly utcDay) => DerivedIds.From($"funnel:{eventTypeId:N}:{utcDay:yyyy-MM-dd}");

    public static object Event(FunnelStage stage, Guid eventTypeId, Guid organizerId, DateTimeOffset at) => stage switch
    {
        FunnelStage.PageView => new BookingPageViewed(eventTypeId, organizerId, at),
        _ => new SlotSelected(eventTypeId, organizerId, at),
    };
}

/// <summary>An analytics date range: UTC days, both ends included.</summary>
public sealed record DayRange(DateOnly Start, DateOnly End)
{
    public const int DefaultDays = 30;
    public const int LongestDays = 90;

    public int Days => End.DayNumber - Start.DayNumber + 1;

    /// <summary>The range asked for (default: the 30 days ending today, UTC), or why it is refused.</summary>
    public static Decision<DayRange> Resolve(DateOnly? start, DateOnly? end, DateOnly today)
    {
        var last = end ?? today;
        var first = start ?? last.AddDays(-(DefaultDays - 1));
        if (last < first) return new Refusal(RefusalKind.Invalid, "validation", "endDate must be on or after startDate.", "endDate");
        var range = new DayRange(first, last);
        return range.Days > LongestDays
            ? new Refusal(RefusalKind.Invalid, "validation", $"The range is {range.Days} days; it can be at most {LongestDays}.", "startDate")
            : range;
    }
}

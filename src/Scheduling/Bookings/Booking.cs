namespace OpenCalendly.Scheduling.Bookings;

public enum BookingStatus { Confirmed, Canceled, Rescheduled }

/// <summary>The booking aggregate; stored inline as the booking view action links and analytics read.</summary>
public sealed class Booking
{
    public Guid Id { get; set; }
    public Guid EventTypeId { get; set; }
    public Guid OrganizerId { get; set; }
    public List<Guid> ReservedUserIds { get; set; } = [];
    public BookingStatus Status { get; set; }
    public DateTimeOffset StartsAt { get; set; }
    public DateTimeOffset EndsAt { get; set; }
    public int BufferBeforeMinutes { get; set; }
    public int BufferAfterMinutes { get; set; }
    public string InviteeName { get; set; } = "";
    public string InviteeEmail { get; set; } = "";
    public string InviteeTimezone { get; set; } = "";
    public Dictionary<string, string> Answers { get; set; } = [];
    public string CancelTokenHash { get; set; } = "";
    public string RescheduleTokenHash { get; set; } = "";
    public DateTimeOffset ActionTokensExpireAt { get; set; }
    public DateTimeOffset ConfirmedAt { get; set; }

    public static Booking From(BookingConfirmed e) => new()
    {
        Id = e.BookingId,
        EventTypeId = e.EventTypeId,
        OrganizerId = e.OrganizerId,
        ReservedUserIds = [.. e.ReservedUserIds],
        Status = BookingStatus.Confirmed,
        StartsAt = e.StartsAt,
        EndsAt = e.EndsAt,
        BufferBeforeMinutes = e.BufferBeforeMinutes,
        BufferAfterMinutes = e.BufferAfterMinutes,
        InviteeName = e.InviteeName,
        InviteeEmail = e.InviteeEmail,
        InviteeTimezone = e.InviteeTimezone,
        Answers = new Dictionary<string, string>(e.Answers),
        CancelTokenHash = e.CancelTokenHash,
        RescheduleTokenHash = e.RescheduleTokenHash,
        ActionTokensExpireAt = e.ActionTokensExpireAt,
        ConfirmedAt = e.ConfirmedAt,
    };
}

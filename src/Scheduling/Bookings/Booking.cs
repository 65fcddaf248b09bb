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

    /// <summary>The manage link's hash: shared along a reschedule chain made through it; the chain's last booking answers it.</summary>
    public string? ManageTokenHash { get; set; }
    public DateTimeOffset ActionTokensExpireAt { get; set; }
    public DateTimeOffset ConfirmedAt { get; set; }

    /// <summary>When its status last changed: confirmed, canceled or moved (what an integrator syncing changes asks for).</summary>
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CanceledAt { get; set; }
    public string? CancelReason { get; set; }
    public Guid? RescheduledToBookingId { get; set; }
    public DateTimeOffset? RescheduledToStartsAt { get; set; }
    public DateTimeOffset? RescheduledToEndsAt { get; set; }
    public Guid? RescheduledFromBookingId { get; set; }
    public Guid? TeamId { get; set; }

    /// <summary>The seat this booking holds at a seated slot; null for a one-on-one or team booking.</summary>
    public BookingSeat? Seat { get; set; }
    public EventTypes.TeamMode? TeamMode { get; set; }

    /// <summary>The iCalendar UID shared by every booking of one reschedule chain.</summary>
    public string CalendarUid { get; set; } = "";

    /// <summary>The iCalendar SEQUENCE of the last invitation sent for this booking.</summary>
    public int CalendarSequence { get; set; }

    /// <summary>The reminders already sent, by minutes before the start.</summary>
    public List<int> RemindersSent { get; set; } = [];

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
        ManageTokenHash = e.ManageTokenHash,
        ActionTokensExpireAt = e.ActionTokensExpireAt,
        ConfirmedAt = e.ConfirmedAt,
        UpdatedAt = e.ConfirmedAt,
        CalendarUid = $"{e.BookingId}@opencalendly",
        TeamId = e.TeamId,
        TeamMode = e.TeamMode,
        Seat = e.Seat,
    };

    public void When(BookingCanceled e) =>
        (Status, CanceledAt, CancelReason, UpdatedAt) = (BookingStatus.Canceled, e.CanceledAt, e.Reason, e.CanceledAt);

    public void When(BookingRescheduled e) =>
        (Status, RescheduledToBookingId, RescheduledToStartsAt, RescheduledToEndsAt, UpdatedAt) =
        (BookingStatus.Rescheduled, e.NewBookingId, e.NewStartsAt, e.NewEndsAt, e.RescheduledAt);

    public void When(BookingReminderSent e) => RemindersSent.Add(e.MinutesBefore);

    public void When(BookingRescheduledFrom e) =>
        (RescheduledFromBookingId, CalendarUid, CalendarSequence) = (e.PreviousBookingId, e.CalendarUid, e.CalendarSequence);
}

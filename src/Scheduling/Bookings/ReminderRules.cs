using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Bookings;

/// <summary>When a booking's reminders go out, and when one that comes due no longer applies.</summary>
public static class ReminderRules
{
    /// <summary>The event type's reminders whose time is still ahead of <paramref name="now"/>, with when each is due.</summary>
    public static IReadOnlyList<(Reminder Reminder, DateTimeOffset Due)> Due(Booking booking, IEnumerable<Reminder> reminders, DateTimeOffset now) =>
        [.. reminders.Select(r => (Reminder: r, Due: booking.StartsAt.AddMinutes(-r.MinutesBefore))).Where(r => r.Due > now)];

    /// <summary>
    /// Why a reminder scheduled for a booking starting at <paramref name="startsAt"/> is not sent now, or null to send it:
    /// a cancel or reschedule withdraws it (the moved booking has reminders of its own), a booking that started is past
    /// reminding, and each reminder goes out once.
    /// </summary>
    public static Refusal? CheckSend(Booking booking, DateTimeOffset startsAt, int minutesBefore, DateTimeOffset now) =>
        booking.Status != BookingStatus.Confirmed
            ? new(RefusalKind.Conflict, "withdrawn", "withdrawn: the booking was " + booking.Status.ToString().ToLowerInvariant())
        : booking.StartsAt != startsAt ? new(RefusalKind.Conflict, "withdrawn", "withdrawn: the booking moved")
        : now >= booking.StartsAt ? new(RefusalKind.Conflict, "too-late", "too late: the booking has started")
        : booking.RemindersSent.Contains(minutesBefore) ? new(RefusalKind.Conflict, "already-sent", "already sent")
        : null;
}

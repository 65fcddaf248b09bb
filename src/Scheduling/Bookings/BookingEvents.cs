namespace OpenCalendly.Scheduling.Bookings;

/// <summary>
/// An invitee booked a slot. Carries every fact a projection needs: who is reserved, the interval,
/// the buffers it was made with (a booking keeps them when the schedule changes), and the hashes of
/// its action tokens (the tokens themselves are never stored). A booking moved through its manage link keeps that
/// link's hash, so the one link in the invitee's first email keeps managing the booking wherever it went.
/// </summary>
public sealed record BookingConfirmed(
    Guid BookingId,
    Guid EventTypeId,
    Guid OrganizerId,
    IReadOnlyList<Guid> ReservedUserIds,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    int BufferBeforeMinutes,
    int BufferAfterMinutes,
    string InviteeName,
    string InviteeEmail,
    string InviteeTimezone,
    IReadOnlyDictionary<string, string> Answers,
    string CancelTokenHash,
    string RescheduleTokenHash,
    DateTimeOffset ActionTokensExpireAt,
    DateTimeOffset ConfirmedAt,
    Guid? TeamId = null,
    EventTypes.TeamMode? TeamMode = null,
    string? ManageTokenHash = null,
    BookingSeat? Seat = null);

/// <summary>
/// A seat at a seated slot: the slot's id (one per event type and start), this seat's number, the slot's seats, and how many
/// were taken with this one. The first seat reserves the organizer's time under the slot's id; later seats join it.
/// </summary>
public sealed record BookingSeat(Guid SlotId, int Number, int SeatsPerSlot, int SeatsTaken);

/// <summary>The invitee canceled; the reserved time is free again from this event on.</summary>
/// <param name="CanceledByUserId">The organizer or assigned member who canceled it; null when the invitee did (through their link).</param>
/// <param name="CanceledByApiKeyName">The API key (its name when used) the host canceled through; null for a signed-in host.</param>
public sealed record BookingCanceled(
    Guid BookingId, Guid OrganizerId, string? Reason, DateTimeOffset CanceledAt, Guid? CanceledByUserId = null, string? CanceledByApiKeyName = null);

/// <summary>The invitee moved the booking: this stream ends here and <c>NewBookingId</c> carries on.</summary>
public sealed record BookingRescheduled(
    Guid BookingId, Guid OrganizerId, Guid NewBookingId, DateTimeOffset NewStartsAt, DateTimeOffset NewEndsAt, DateTimeOffset RescheduledAt);

/// <summary>The reminder <paramref name="MinutesBefore"/> minutes ahead went out (once: a second one finds this event).</summary>
public sealed record BookingReminderSent(
    Guid BookingId, int MinutesBefore, EventTypes.ReminderRecipients Recipients, int EmailsQueued, DateTimeOffset SentAt);

/// <summary>
/// Follows <see cref="BookingConfirmed"/> in a stream that continues a rescheduled booking. Calendar
/// invitations keep the original UID and raise the sequence, so calendars move the event instead of adding one.
/// </summary>
/// <param name="TeamEventTypeId">For a moved team booking, its event type, whose round-robin tally gives back <paramref name="PreviousAssigneeIds"/>' turn.</param>
/// <param name="PreviousAssigneeIds">For a moved team booking, who held it before (the move is assigned afresh).</param>
public sealed record BookingRescheduledFrom(
    Guid BookingId, Guid PreviousBookingId, string CalendarUid, int CalendarSequence, DateTimeOffset RescheduledAt,
    Guid? TeamEventTypeId = null, IReadOnlyList<Guid>? PreviousAssigneeIds = null);

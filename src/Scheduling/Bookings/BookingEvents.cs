namespace OpenCalendly.Scheduling.Bookings;

/// <summary>
/// An invitee booked a slot. Carries every fact a projection needs: who is reserved, the interval,
/// the buffers it was made with (a booking keeps them when the schedule changes), and the hashes of
/// its action tokens (the tokens themselves are never stored).
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
    DateTimeOffset ConfirmedAt);

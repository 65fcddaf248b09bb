using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Bookings;

/// <summary>What a link allows: one action each, or both on the booking's manage page.</summary>
public enum ActionType { Cancel, Reschedule, Manage }

/// <summary>What an action link may still do. Links stop working when the booking starts; a reschedule spends both.</summary>
public static class ActionLinks
{
    /// <summary>How long a link may live at most: a booking years ahead does not keep a link from an old email valid for years.</summary>
    public static readonly Duration MaxLifetime = Duration.FromDays(365);

    /// <summary>Links stop working when the booking starts, and at the latest <see cref="MaxLifetime"/> after they were issued.</summary>
    public static Instant ExpiresAt(Instant start, Instant issued) => Instant.Min(start, issued + MaxLifetime);

    public static Refusal? CheckView(Booking booking, Instant now) =>
        Instant.FromDateTimeOffset(booking.ActionTokensExpireAt) <= now ? BookingRefusals.LinkExpired()
        : booking.Status == BookingStatus.Rescheduled ? BookingRefusals.LinkSpent()
        : null;

    /// <summary>
    /// What a link of <paramref name="type"/> may still show: a reschedule link of the booking it moved keeps showing
    /// where the booking went until it expires (nothing more is allowed through it); otherwise <see cref="CheckView(Booking, Instant)"/>.
    /// </summary>
    public static Refusal? CheckView(Booking booking, ActionType type, Instant now) =>
        type == ActionType.Reschedule && booking.Status == BookingStatus.Rescheduled && Instant.FromDateTimeOffset(booking.ActionTokensExpireAt) > now
            ? null
            : CheckView(booking, now);

    public static bool CanCancel(Booking booking, Instant now) => CheckView(booking, now) is null && booking.Status == BookingStatus.Confirmed;

    /// <summary>Whether a link of <paramref name="type"/> may cancel (a cancel or manage link) while the booking still allows it.</summary>
    public static bool CanCancel(Booking booking, ActionType type, Instant now) => type != ActionType.Reschedule && CanCancel(booking, now);

    /// <summary>Whether a link of <paramref name="type"/> may reschedule (a reschedule or manage link) while the booking still allows it.</summary>
    public static bool CanReschedule(Booking booking, ActionType type, Instant now) => type != ActionType.Cancel && CanReschedule(booking, now);

    public static bool CanReschedule(Booking booking, Instant now) => CanCancel(booking, now);
}

public static class CancelBooking
{
    /// <summary>Cancelling a canceled booking is a success that appends nothing, so nothing is sent twice.</summary>
    public static Refusal? Check(Booking booking, Instant now) => ActionLinks.CheckView(booking, now);

    /// <param name="byHost">The host canceling, or null for the invitee.</param>
    /// <param name="throughApiKey">The name of the API key the host acted through, if any.</param>
    public static BookingCanceled[] Decide(Booking booking, string? reason, Instant now, Guid? byHost = null, string? throughApiKey = null) =>
        booking.Status == BookingStatus.Canceled ? [] : [new(booking.Id, booking.OrganizerId, reason, now.ToDateTimeOffset(), byHost, throughApiKey)];

    /// <summary>
    /// A host (the organizer, or a member the booking is assigned to) may cancel it until it ends; a moved booking is
    /// canceled through the booking it became.
    /// </summary>
    public static Refusal? CheckByHost(Booking booking, Guid hostId, Instant now) =>
        booking.OrganizerId != hostId && !booking.ReservedUserIds.Contains(hostId) ? BookingRefusals.NotFound()
        : booking.Status == BookingStatus.Rescheduled ? BookingRefusals.Moved()
        : booking.Status == BookingStatus.Confirmed && Instant.FromDateTimeOffset(booking.EndsAt) <= now ? BookingRefusals.AlreadyHeld()
        : null;
}

public static class RescheduleBooking
{
    /// <summary>The old stream's event and the new stream's events, decided together so they commit together.</summary>
    public sealed record Outcome(BookingRescheduled Old, BookingConfirmed Confirmed, BookingRescheduledFrom From);

    /// <param name="confirm">
    /// Confirms the moved booking against slots computed without the old booking's own reservation:
    /// the organizer's slot for a personal booking, a fresh assignment for a team booking.
    /// </param>
    public static Decision<Outcome> Decide(
        Booking old, EventType eventType, Func<BookingRequest, Decision<BookingConfirmed>> confirm, Instant newStart, string? inviteeTimezone,
        Guid newBookingId, Instant now)
    {
        if (ActionLinks.CheckView(old, now) is { } refusal) return refusal;
        if (old.Status != BookingStatus.Confirmed) return BookingRefusals.LinkSpent();
        if (!eventType.IsActive) return BookingRefusals.EventTypeInactive();

        // The invitee's answers travel with the booking; questions added since then are not asked again.
        var answers = old.Answers.Where(a => eventType.Questions.Any(q => q.Id == a.Key)).ToDictionary();
        var request = new BookingRequest(newStart, old.InviteeName, old.InviteeEmail, inviteeTimezone ?? old.InviteeTimezone, answers);
        var decision = confirm(request);
        if (decision.Refusal is { } taken) return taken;

        var confirmed = decision.Value!;
        var at = now.ToDateTimeOffset();
        return new Outcome(
            new BookingRescheduled(old.Id, old.OrganizerId, newBookingId, confirmed.StartsAt, confirmed.EndsAt, at),
            confirmed,
            new BookingRescheduledFrom(newBookingId, old.Id, old.CalendarUid, old.CalendarSequence + 1, at,
                old.TeamId is null ? null : old.EventTypeId, old.TeamId is null ? null : old.ReservedUserIds));
    }
}

using System.Text.Json.Serialization;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Host.Bookings;

// The answers of the booking mutations as records, so /openapi/v1.json describes them and clients can be generated.

/// <summary>How many of a kind of side effect a change queued (emails, webhooks, calendar writebacks).</summary>
public sealed record QueuedCount(int Queued);

/// <summary>How many reminders a booking scheduled.</summary>
public sealed record ScheduledCount(int Scheduled);

/// <summary>One action link: its token (shown only in the creator's answer), its page, its lookup and its action URL.</summary>
public sealed record ActionLinkJson(
    string Token, DateTimeOffset ExpiresAt, string PageUrl, string LookupUrl,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Url);

/// <summary>The reference's two single-action links and the manage link that does both.</summary>
public sealed record ActionLinksJson(ActionLinkJson Cancel, ActionLinkJson Reschedule, ActionLinkJson Manage);

/// <summary><c>POST /v0/bookings</c> and <c>/v0/team-bookings</c>.</summary>
public sealed record BookingConfirmedAnswer(
    bool Ok, BookingJson Booking, ActionLinksJson Actions, QueuedCount Email, QueuedCount Webhooks, QueuedCount CalendarWriteback,
    ScheduledCount Reminders);

public sealed record BookingStatusJson(Guid Id, BookingStatus Status);

/// <param name="AssignmentUserIds">For a team booking, who holds it at its new time (it is assigned afresh).</param>
public sealed record MovedBookingJson(
    Guid Id, BookingStatus Status, Guid RescheduledFromBookingId, DateTimeOffset StartsAt, DateTimeOffset EndsAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<Guid>? AssignmentUserIds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SeatJson? Seat = null);

/// <summary>A seat at a seated slot: its number, the slot's start, the slot's seats, and how many were taken with this one.</summary>
public sealed record SeatJson(int Number, DateTimeOffset SlotStartsAt, int SeatsPerSlot, int SeatsTaken)
{
    public static SeatJson? Of(OpenCalendly.Scheduling.Bookings.BookingSeat? seat, DateTimeOffset startsAt) =>
        seat is null ? null : new(seat.Number, startsAt, seat.SeatsPerSlot, seat.SeatsTaken);
}

/// <summary><c>POST /v0/bookings/actions/{token}/reschedule</c>.</summary>
public sealed record BookingRescheduledAnswer(
    bool Ok, BookingStatusJson OldBooking, MovedBookingJson NewBooking, ActionLinksJson Actions, QueuedCount Email, QueuedCount Webhooks,
    QueuedCount CalendarWriteback, ScheduledCount Reminders);

/// <summary><c>POST /v0/bookings/actions/{token}/cancel</c> and <c>POST /v0/bookings/{id}/cancel</c>.</summary>
public sealed record BookingCanceledAnswer(bool Ok, BookingStatusJson Booking, QueuedCount Email, QueuedCount Webhooks, QueuedCount CalendarWriteback);

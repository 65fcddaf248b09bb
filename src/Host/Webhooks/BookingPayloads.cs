using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Host.Webhooks;

/// <summary>The contract's webhook payload for a booking.</summary>
public static class BookingPayloads
{
    /// <summary>A booking's payload; a seat's adds <c>seat: {number, slotStartsAt, seatsPerSlot, seatsTaken}</c> (taken with it).</summary>
    public static object Of(Booking booking, object? metadata = null) => booking.Seat is { } seat
        ? (object)new
        {
            bookingId = booking.Id, booking.EventTypeId, booking.OrganizerId, booking.InviteeEmail, booking.InviteeName,
            booking.StartsAt, booking.EndsAt, metadata,
            seat = new { number = seat.Number, slotStartsAt = booking.StartsAt, seatsPerSlot = seat.SeatsPerSlot, seatsTaken = seat.SeatsTaken },
        }
        : new
        {
            bookingId = booking.Id, booking.EventTypeId, booking.OrganizerId, booking.InviteeEmail, booking.InviteeName,
            booking.StartsAt, booking.EndsAt, metadata,
        };
}

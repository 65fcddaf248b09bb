using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Host.Webhooks;

/// <summary>The contract's webhook payload for a booking.</summary>
public static class BookingPayloads
{
    public static object Of(Booking booking, object? metadata = null) => new
    {
        bookingId = booking.Id, booking.EventTypeId, booking.OrganizerId, booking.InviteeEmail, booking.InviteeName,
        booking.StartsAt, booking.EndsAt, metadata,
    };
}

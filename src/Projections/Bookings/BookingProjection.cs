using JasperFx.Events;
using Marten.Events.Aggregation;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Projections.Bookings;

/// <summary>Keeps the <see cref="Booking"/> view (status, interval, token hashes) in the events' transaction.</summary>
public sealed class BookingProjection : SingleStreamProjection<Booking, Guid>
{
    public override Booking? Evolve(Booking? snapshot, Guid id, IEvent e) => e.Data switch
    {
        BookingConfirmed confirmed => Booking.From(confirmed),
        _ => snapshot,
    };
}

using JasperFx.Events;
using Marten.Events.Aggregation;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Projections.Bookings;

/// <summary>Keeps the <see cref="Booking"/> view (status, interval, token hashes) in the events' transaction.</summary>
public sealed class BookingProjection : SingleStreamProjection<Booking, Guid>
{
    public BookingProjection()
    {
        // Only these: without a list, every stream in every commit (a booking's, a day of funnel events) costs a load of this document.
        IncludeType<BookingConfirmed>();
        IncludeType<BookingCanceled>();
        IncludeType<BookingRescheduled>();
        IncludeType<BookingRescheduledFrom>();
        IncludeType<BookingReminderSent>();
    }

    public override Booking? Evolve(Booking? snapshot, Guid id, IEvent e)
    {
        if (e.Data is BookingConfirmed confirmed) return Booking.From(confirmed);
        switch (snapshot, e.Data)
        {
            case (not null, BookingCanceled canceled): snapshot.When(canceled); break;
            case (not null, BookingRescheduled rescheduled): snapshot.When(rescheduled); break;
            case (not null, BookingRescheduledFrom from): snapshot.When(from); break;
            case (not null, BookingReminderSent reminded): snapshot.When(reminded); break;
        }
        return snapshot;
    }
}

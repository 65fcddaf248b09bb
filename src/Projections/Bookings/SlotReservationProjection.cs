using JasperFx.Events;
using Marten;
using Marten.Events.Daemon;
using Marten.Events.Projections;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Projections.Bookings;

/// <summary>
/// Keeps one reservation row per reserved person and booking, in the same transaction as the booking's
/// events. <c>during</c> is the booking widened by the buffers it was made with.
/// </summary>
public sealed class SlotReservationProjection : EventProjection
{
    private readonly string _table;

    public SlotReservationProjection(SlotReservationTable table)
    {
        _table = table.QualifiedName;
        Name = "SlotReservations";
        Options.DeleteDataInTableOnTeardown(table.QualifiedName);
        IncludeType<BookingConfirmed>();
        IncludeType<BookingCanceled>();
        IncludeType<BookingRescheduled>();
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        if (e.Data is BookingConfirmed confirmed)
        {
            var from = confirmed.StartsAt.AddMinutes(-confirmed.BufferBeforeMinutes).ToUniversalTime();
            var to = confirmed.EndsAt.AddMinutes(confirmed.BufferAfterMinutes).ToUniversalTime();
            foreach (var userId in confirmed.ReservedUserIds)
                operations.QueueSqlCommand(
                    $"insert into {_table} (booking_id, user_id, during, active) values (?, ?, tstzrange(?, ?, '[)'), true)",
                    confirmed.BookingId, userId, from, to);
        }
        else if (e.Data is BookingCanceled or BookingRescheduled)
        {
            // Freed in the same transaction as the event, so the time is bookable the moment it commits.
            operations.QueueSqlCommand($"update {_table} set active = false where booking_id = ?", e.StreamId);
        }
        return ValueTask.CompletedTask;
    }
}

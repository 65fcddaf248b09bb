using JasperFx.Events;
using Marten;
using Marten.Events.Daemon;
using Marten.Events.Projections;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Projections.Bookings;

/// <summary>
/// Keeps one reservation row per reserved person and booking, in the same transaction as the booking's
/// events. <c>during</c> is the booking widened by the buffers it was made with. A seat at a seated slot keeps a
/// seat row, and the organizer's reservation is the slot's (under its id): the first seat makes it, the last to go frees it.
/// </summary>
public sealed class SlotReservationProjection : EventProjection
{
    private readonly string _table, _seats;

    public SlotReservationProjection(SlotReservationTable table, SeatTable seats)
    {
        (_table, _seats) = (table.QualifiedName, seats.QualifiedName);
        Name = "SlotReservations";
        Options.DeleteDataInTableOnTeardown(table.QualifiedName);
        Options.DeleteDataInTableOnTeardown(seats.QualifiedName);
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
            if (confirmed.Seat is { } seat)
            {
                operations.QueueSqlCommand(
                    $"insert into {_seats} (booking_id, slot_id, event_type_id, starts_at, ends_at, buffer_before, buffer_after, seat_no, capacity) " +
                    "values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    confirmed.BookingId, seat.SlotId, confirmed.EventTypeId, confirmed.StartsAt.ToUniversalTime(), confirmed.EndsAt.ToUniversalTime(),
                    confirmed.BufferBeforeMinutes, confirmed.BufferAfterMinutes, seat.Number, seat.SeatsPerSlot);
                // The first seat holds the organizer's time (the exclusion constraint guards it as any booking's); later seats find it held.
                foreach (var userId in confirmed.ReservedUserIds)
                    operations.QueueSqlCommand(
                        $"insert into {_table} as r (booking_id, user_id, during, active) values (?, ?, tstzrange(?, ?, '[)'), true) " +
                        "on conflict (booking_id, user_id) do update set active = true, during = excluded.during where not r.active",
                        seat.SlotId, userId, from, to);
                return ValueTask.CompletedTask;
            }
            foreach (var userId in confirmed.ReservedUserIds)
                operations.QueueSqlCommand(
                    $"insert into {_table} (booking_id, user_id, during, active) values (?, ?, tstzrange(?, ?, '[)'), true)",
                    confirmed.BookingId, userId, from, to);
        }
        else if (e.Data is BookingCanceled or BookingRescheduled)
        {
            // Freed in the same transaction as the event, so the time is bookable the moment it commits. A seat frees its
            // number, and the slot's hold on the organizer's time when no other seat is taken. The slot's row is locked
            // first, in its own statement: a seat joining at this moment locks it too (its insert's conflict), so the
            // count below, read after that seat commits, sees it and leaves the time held.
            operations.QueueSqlCommand(
                $"update {_table} r set active = r.active from {_seats} s where s.booking_id = ? and s.active and r.booking_id = s.slot_id",
                e.StreamId);
            operations.QueueSqlCommand(
                $"with own as (update {_table} set active = false where booking_id = ?), " +
                $"freed as (update {_seats} set active = false where booking_id = ? and active returning slot_id) " +
                $"update {_table} r set active = false from freed where r.booking_id = freed.slot_id and not exists " +
                $"(select 1 from {_seats} s where s.slot_id = freed.slot_id and s.active and s.booking_id <> ?)",
                e.StreamId, e.StreamId, e.StreamId);
        }
        return ValueTask.CompletedTask;
    }
}

using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Projections;
using OpenCalendly.Scheduling.Analytics;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Projections.Analytics;

/// <summary>
/// Keeps the analytics counters in the events' transaction: funnel stages, bookings by outcome, round-robin
/// assignments. Its statements run in event order, read only its own tables, and are idempotent (a booking counts once,
/// a funnel event once by its id), so a rebuild from the event store (<c>projections rebuild -p Funnel</c>)
/// produces exactly what the inline path did, even while the inline path keeps writing beside it.
/// Page views and slot selections, by far the most numerous, are counted a batch at a time (one statement per
/// commit or rebuild page, not two per event): the projection takes both of Marten's batch entry points
/// (inline and daemon) and hands everything else to <see cref="ApplyAsync(IDocumentOperations, IEvent, CancellationToken)"/> in order.
/// </summary>
public sealed class FunnelProjection : EventProjection, IInlineProjection<IDocumentOperations>, IJasperFxProjection<IDocumentOperations>
{
    public const string ProjectionName = "Funnel";

    private readonly string _daily, _bookings, _events, _assignments;

    public FunnelProjection(FunnelDailyTable daily, FunnelBookingsTable bookings, FunnelEventsTable events, TeamAssignmentsDailyTable assignments)
    {
        (_daily, _bookings, _events, _assignments) = (daily.QualifiedName, bookings.QualifiedName, events.QualifiedName, assignments.QualifiedName);
        Name = ProjectionName;
        Options.BatchSize = 10_000;   // a rebuild reads pages this long; one statement counts a whole page of funnel stages
        Options.DeleteDataInTableOnTeardown(_daily);
        Options.DeleteDataInTableOnTeardown(_bookings);
        Options.DeleteDataInTableOnTeardown(_events);
        Options.DeleteDataInTableOnTeardown(_assignments);
        foreach (var type in Counts) IncludeType(type);
    }

    /// <summary>The events it counts (all others pass it by).</summary>
    public static IReadOnlyList<Type> Counts { get; } =
        [typeof(BookingPageViewed), typeof(SlotSelected), typeof(BookingConfirmed), typeof(BookingRescheduledFrom), typeof(BookingCanceled), typeof(BookingRescheduled)];

    private static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    Task IInlineProjection<IDocumentOperations>.ApplyAsync(IDocumentOperations operations, IEnumerable<StreamAction> streams, CancellationToken cancellation) =>
        ApplyAllAsync(operations, [.. streams.SelectMany(s => s.Events)], cancellation);

    Task IJasperFxProjection<IDocumentOperations>.ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation) =>
        ApplyAllAsync(operations, events, cancellation);

    private async Task ApplyAllAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var stages = events.Where(e => e.Data is BookingPageViewed or SlotSelected).ToList();
        if (stages.Count > 0) CountStages(operations, stages);
        foreach (var e in events)
            if (e.Data is not (BookingPageViewed or SlotSelected)) await ApplyAsync(operations, e, cancellation);
    }

    /// <summary>
    /// Page views and slot selections, each counted unless its event id was counted already: one statement
    /// for all of them. They touch only their own two counters, so counting them ahead of the batch's booking
    /// events gives the same rows as counting them in order. The ids go into the seen table in key order: event
    /// ids are random, and a page of them inserted in order walks the index once instead of jumping about it
    /// (measured in bench/results/profile-notes.md, "Funnel rebuild: seen ids in key order").
    /// </summary>
    private void CountStages(IDocumentOperations operations, IReadOnlyList<IEvent> stages)
    {
        var (eventTypes, days, organizers, views) = (new Guid[stages.Count], new DateOnly[stages.Count], new Guid[stages.Count], new int[stages.Count]);
        for (var i = 0; i < stages.Count; i++)
            (eventTypes[i], days[i], organizers[i], views[i]) = stages[i].Data switch
            {
                BookingPageViewed v => (v.EventTypeId, Day(v.ViewedAt), v.OrganizerId, 1),
                SlotSelected s => (s.EventTypeId, Day(s.SelectedAt), s.OrganizerId, 0),
                _ => throw new InvalidOperationException("Not a funnel stage."),
            };
        operations.QueueSqlCommand(
            "with incoming as (select * from unnest(?::uuid[], ?::uuid[], ?::date[], ?::uuid[], ?::int[]) as i(event_id, event_type_id, day, organizer_id, view)), " +
            $"seen as (insert into {_events} (event_id, day) select event_id, day from incoming order by event_id on conflict (event_id) do nothing returning event_id) " +
            $"insert into {_daily} (event_type_id, day, organizer_id, page_views, slot_selections) " +
            "select i.event_type_id, i.day, (array_agg(i.organizer_id))[1], sum(i.view), sum(1 - i.view) from incoming i join seen using (event_id) " +
            "group by i.event_type_id, i.day " +
            $"on conflict (event_type_id, day) do update set page_views = {_daily}.page_views + excluded.page_views, " +
            $"slot_selections = {_daily}.slot_selections + excluded.slot_selections",
            stages.Select(e => e.Id).ToArray(), eventTypes, days, organizers, views);
    }

    public override ValueTask ApplyAsync(IDocumentOperations operations, IEvent e, CancellationToken cancellation)
    {
        switch (e.Data)
        {
            case BookingPageViewed or SlotSelected:
                // Marten's batch paths count these a batch at a time; one at a time, the same statement counts one.
                CountStages(operations, [e]);
                break;
            case BookingConfirmed confirmed:
                // Counted only if the booking is new to the table: a second application of the event changes nothing.
                operations.QueueSqlCommand(
                    $"with f as (insert into {_bookings} (booking_id, event_type_id, day, bucket) values (?, ?, ?, 'confirmed') " +
                    "on conflict (booking_id) do nothing returning event_type_id, day), " +
                    $"d as (insert into {_daily} (event_type_id, day, organizer_id, booking_confirmations, confirmed) select event_type_id, day, ?, 1, 1 from f " +
                    $"on conflict (event_type_id, day) do update set booking_confirmations = {_daily}.booking_confirmations + 1, confirmed = {_daily}.confirmed + 1) " +
                    $"insert into {_assignments} (event_type_id, day, member_id, assignments) select f.event_type_id, f.day, m, 1 from f, unnest(?::uuid[]) as m " +
                    $"on conflict (event_type_id, day, member_id) do update set assignments = {_assignments}.assignments + 1",
                    confirmed.BookingId, confirmed.EventTypeId, Day(confirmed.ConfirmedAt), confirmed.OrganizerId,
                    confirmed.TeamMode == TeamMode.RoundRobin ? confirmed.ReservedUserIds.ToArray() : Array.Empty<Guid>());
                break;
            case BookingRescheduledFrom:
                // Made by a reschedule (in the same stream, right after its BookingConfirmed): not a new page conversion.
                Move(operations, e.StreamId, "confirmed", "rescheduled", extra: "booking_confirmations = d.booking_confirmations - 1");
                break;
            case BookingCanceled:
                Move(operations, e.StreamId, "confirmed", "canceled");
                break;
            case BookingRescheduled:
                // Superseded: the booking that continues it counts instead.
                operations.QueueSqlCommand(
                    $"with f as (update {_bookings} b set bucket = 'superseded' from {_bookings} old " +
                    "where b.booking_id = ? and old.booking_id = b.booking_id and b.bucket <> 'superseded' returning b.event_type_id, b.day, old.bucket) " +
                    $"update {_daily} d set confirmed = d.confirmed - (f.bucket = 'confirmed')::int, rescheduled = d.rescheduled - (f.bucket = 'rescheduled')::int, " +
                    "canceled = d.canceled - (f.bucket = 'canceled')::int from f where d.event_type_id = f.event_type_id and d.day = f.day",
                    e.StreamId);
                break;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Moves a booking from one counter of its day to another, if it is in <paramref name="from"/>.</summary>
    private void Move(IDocumentOperations operations, Guid bookingId, string from, string to, string? extra = null) =>
        operations.QueueSqlCommand(
            $"with f as (update {_bookings} set bucket = '{to}' where booking_id = ? and bucket = '{from}' returning event_type_id, day) " +
            $"update {_daily} d set {from} = d.{from} - 1, {to} = d.{to} + 1{(extra is null ? "" : ", " + extra)} " +
            "from f where d.event_type_id = f.event_type_id and d.day = f.day",
            bookingId);
}

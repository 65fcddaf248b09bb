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
/// a funnel event once by its id), so a rebuild from the event store (<c>analytics-rebuild</c>) produces exactly what
/// the inline path did, even while the inline path keeps writing beside it.
/// </summary>
/// <remarks>
/// A custom projection on Marten's public <see cref="IProjection"/>, which hands it a commit's (or a rebuild page's)
/// events at once, so page views and slot selections, by far the most numerous, are counted a batch at a time (one
/// statement per commit or page, not one per event). Not a <c>FlatTableProjection</c>: its increments are not
/// idempotent and its rows have one key column, while these counters must count an event once when a rebuild and the
/// inline path both apply it, and are keyed by event type and day.
/// </remarks>
public sealed class FunnelProjection : IProjection
{
    public const string ProjectionName = "Funnel";

    /// <summary>How many events a rebuild reads and applies at once: one statement counts a whole page of funnel stages.</summary>
    public const int PageSize = 10_000;

    private readonly string _daily, _bookings, _events, _assignments;

    public FunnelProjection(FunnelDailyTable daily, FunnelBookingsTable bookings, FunnelEventsTable events, TeamAssignmentsDailyTable assignments) =>
        (_daily, _bookings, _events, _assignments) = (daily.QualifiedName, bookings.QualifiedName, events.QualifiedName, assignments.QualifiedName);

    /// <summary>The tables it keeps, emptied by a teardown.</summary>
    public IReadOnlyList<string> Tables => [_daily, _bookings, _events, _assignments];

    /// <summary>The events it counts (all others pass it by).</summary>
    public static IReadOnlyList<Type> Counts { get; } =
        [typeof(BookingPageViewed), typeof(SlotSelected), typeof(BookingConfirmed), typeof(BookingRescheduledFrom), typeof(BookingCanceled), typeof(BookingRescheduled)];

    private static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    /// <summary>Registers it inline, under its name, with its teardown and rebuild page.</summary>
    public void Register(StoreOptions opts) =>
        opts.Projections.Add(this, ProjectionLifecycle.Inline, ProjectionName, options =>
        {
            options.BatchSize = PageSize;
            foreach (var table in Tables) options.DeleteDataInTableOnTeardown(table);
        });

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var stages = events.Where(e => e.Data is BookingPageViewed or SlotSelected).ToList();
        if (stages.Count > 0) CountStages(operations, stages);
        foreach (var e in events)
            if (e.Data is not (BookingPageViewed or SlotSelected)) Apply(operations, e);
        return Task.CompletedTask;
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

    /// <summary>A booking event, in its place among the others.</summary>
    private void Apply(IDocumentOperations operations, IEvent e)
    {
        switch (e.Data)
        {
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
    }

    /// <summary>Moves a booking from one counter of its day to another, if it is in <paramref name="from"/>.</summary>
    private void Move(IDocumentOperations operations, Guid bookingId, string from, string to, string? extra = null) =>
        operations.QueueSqlCommand(
            $"with f as (update {_bookings} set bucket = '{to}' where booking_id = ? and bucket = '{from}' returning event_type_id, day) " +
            $"update {_daily} d set {from} = d.{from} - 1, {to} = d.{to} + 1{(extra is null ? "" : ", " + extra)} " +
            "from f where d.event_type_id = f.event_type_id and d.day = f.day",
            bookingId);
}

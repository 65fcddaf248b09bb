using JasperFx;
using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Schema;
using OpenCalendly.Projections.Analytics;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Projections.Calendars;
using OpenCalendly.Projections.EventTypes;
using OpenCalendly.Projections.Teams;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;
using OpenCalendly.Scheduling.EventTypes;
using Weasel.Core;
using Weasel.Postgresql;

namespace OpenCalendly.Projections;

/// <summary>The event store's shape: streams, inline read models and the tables beside them.</summary>
public static class StoreConfiguration
{
    public const string Schema = "opencalendly";

    public static SlotReservationTable Reservations { get; } = new(Schema);

    public static BusyWindowTable BusyWindows { get; } = new(Schema);

    public static SeatTable Seats { get; } = new(Schema);

    public static FunnelDailyTable FunnelDaily { get; } = new(Schema);

    public static FunnelBookingsTable FunnelBookings { get; } = new(Schema);

    public static FunnelEventsTable FunnelEvents { get; } = new(Schema);

    public static TeamAssignmentsDailyTable TeamAssignmentsDaily { get; } = new(Schema);

    public static TakenTimeNotifications TakenTimeNotifications { get; } = new(Schema, Reservations, BusyWindows);

    /// <summary>The tables <see cref="Funnel"/> keeps, all of them rebuilt from the event store.</summary>
    public static IReadOnlyList<ExplicitTable> FunnelTables { get; } = [FunnelDaily, FunnelBookings, FunnelEvents, TeamAssignmentsDaily];

    public static FunnelProjection Funnel { get; } = new(FunnelDaily, FunnelBookings, FunnelEvents, TeamAssignmentsDaily);

    public static void Apply(StoreOptions opts)
    {
        opts.DatabaseSchemaName = Schema;
        // Fixed on day one: changing casing or enum storage later silently breaks stored events.
        opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
        opts.Events.StreamIdentity = StreamIdentity.AsGuid;
        // How an erased invitee's events read after Advanced.ApplyEventDataMasking rewrites them in place.
        opts.Events.AddMaskingRuleForProtectedInformation<BookingConfirmed>(InviteeErasure.Mask);
        opts.Events.AddMaskingRuleForProtectedInformation<BookingCanceled>(InviteeErasure.Mask);
        opts.Events.AddMaskingRuleForProtectedInformation<CalendarConnected>(CalendarErasure.Mask);
        opts.Events.AddMaskingRuleForProtectedInformation<CalendarTokensRefreshed>(CalendarErasure.Mask);
        opts.Events.AddMaskingRuleForProtectedInformation<CalDavCalendarsChosen>(CalendarErasure.Mask);
        opts.Events.AddMaskingRuleForProtectedInformation<CalDavCalendarsFound>(CalendarErasure.Mask);
        opts.Events.AddMaskingRuleForProtectedInformation<BusyWindowsSynced>(CalendarErasure.Mask);
        opts.Events.AddMaskingRuleForProtectedInformation<BookingWrittenBack>(CalendarErasure.Mask);

        opts.Storage.ExtendedSchemaObjects.Add(new Extension("btree_gist"));
        opts.Storage.ExtendedSchemaObjects.Add(Reservations);
        opts.Storage.ExtendedSchemaObjects.Add(Seats);
        opts.Storage.ExtendedSchemaObjects.Add(BusyWindows);
        opts.Storage.ExtendedSchemaObjects.Add(TakenTimeNotifications);
        opts.Storage.ExtendedSchemaObjects.Add(FunnelDaily);
        opts.Storage.ExtendedSchemaObjects.Add(FunnelBookings);
        opts.Storage.ExtendedSchemaObjects.Add(FunnelEvents);
        opts.Storage.ExtendedSchemaObjects.Add(TeamAssignmentsDaily);

        opts.Projections.Add(new EventTypeProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<EventType>()
            .Index(x => x.OrganizerId)
            .Index(x => x.TeamId)
            .UniqueIndex(UniqueIndexType.Computed, "event_type_slug_per_scope", x => x.Scope, x => x.Slug);

        opts.Projections.Add(new BookingProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<Booking>()
            .Index(x => x.OrganizerId)
            .Index(x => x.EventTypeId)
            .Index(x => x.CancelTokenHash)
            .Index(x => x.RescheduleTokenHash)
            .Index(x => x.ManageTokenHash);

        opts.Projections.Add(new SlotReservationProjection(Reservations, Seats), ProjectionLifecycle.Inline);
        opts.Projections.Add(new TeamAssignmentsProjection(), ProjectionLifecycle.Inline);

        opts.Projections.Add(new CalendarConnectionProjection(), ProjectionLifecycle.Inline);
        opts.Schema.For<CalendarConnection>().Index(x => x.UserId);
        opts.Projections.Add(new BusyWindowProjection(BusyWindows), ProjectionLifecycle.Inline);

        Funnel.Register(opts);
    }
}

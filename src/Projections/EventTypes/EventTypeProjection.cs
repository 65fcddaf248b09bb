using JasperFx.Events;
using Marten.Events.Aggregation;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Projections.EventTypes;

/// <summary>
/// Keeps the <see cref="EventType"/> document (what the booking page and the organizer read) in the
/// events' transaction. Dispatch is written out, so the domain assembly needs no store-specific generator.
/// </summary>
public sealed class EventTypeProjection : SingleStreamProjection<EventType, Guid>
{
    public EventTypeProjection()
    {
        // Only these: without a list, every stream in every commit (a booking's, a day of funnel events) costs a load of this document.
        IncludeType<EventTypeCreated>();
        IncludeType<TeamEventTypeCreated>();
        IncludeType<EventTypeDetailsRevised>();
        IncludeType<EventTypeActivated>();
        IncludeType<EventTypeDeactivated>();
        IncludeType<TeamSettingsRevised>();
    }

    public override EventType? Evolve(EventType? snapshot, Guid id, IEvent e)
    {
        switch (e.Data)
        {
            case EventTypeCreated created:
                return EventType.From(created);
            case TeamEventTypeCreated created:
                return EventType.From(created);
            case EventTypeDetailsRevised or EventTypeActivated or EventTypeDeactivated or TeamSettingsRevised when snapshot is not null:
                snapshot.Evolve([e.Data]);
                return snapshot;
            default:
                return snapshot;
        }
    }
}

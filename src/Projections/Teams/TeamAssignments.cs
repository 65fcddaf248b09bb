using JasperFx.Events;
using Marten.Events.Projections;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Teams;

namespace OpenCalendly.Projections.Teams;

/// <summary>How often each member has been assigned one team event type, and when last: round robin's fairness input.</summary>
public sealed class TeamAssignments
{
    public Guid Id { get; set; }
    public Dictionary<Guid, AssignmentTally> Members { get; set; } = [];
}

/// <summary>
/// Counts assignments per team event type from <see cref="BookingConfirmed"/>, in the booking's transaction.
/// Every confirmed assignment counts, including ones later canceled: a cancellation does not give a turn back.
/// A reschedule is assigned afresh and gives back the turn of those who held the booking before
/// (<see cref="BookingRescheduledFrom.PreviousAssigneeIds"/>), so moving a booking never counts twice.
/// </summary>
public sealed class TeamAssignmentsProjection : MultiStreamProjection<TeamAssignments, Guid>
{
    public TeamAssignmentsProjection()
    {
        // Team bookings only: a one-on-one booking then costs no load of a tally it would never write.
        Identities<BookingConfirmed>(e => e.TeamId is null ? [] : [e.EventTypeId]);
        Identities<BookingRescheduledFrom>(e => e.TeamEventTypeId is { } id ? [id] : []);
    }

    public override TeamAssignments? Evolve(TeamAssignments? snapshot, Guid id, IEvent e)
    {
        switch (e.Data)
        {
            case BookingConfirmed { TeamId: not null } confirmed:
                snapshot ??= new TeamAssignments { Id = id };
                foreach (var member in confirmed.ReservedUserIds)
                {
                    var tally = snapshot.Members.GetValueOrDefault(member);
                    snapshot.Members[member] = new AssignmentTally(tally.Count + 1, confirmed.ConfirmedAt);
                }
                return snapshot;
            case BookingRescheduledFrom { PreviousAssigneeIds: { } previous } when snapshot is not null:
                snapshot.Members = new(RoundRobin.Releasing(snapshot.Members, previous));
                return snapshot;
            default:
                return snapshot;
        }
    }
}

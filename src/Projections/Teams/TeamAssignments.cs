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
/// </summary>
public sealed class TeamAssignmentsProjection : MultiStreamProjection<TeamAssignments, Guid>
{
    public TeamAssignmentsProjection()
    {
        // Team bookings only: a one-on-one booking then costs no load of a tally it would never write.
        Identities<BookingConfirmed>(e => e.TeamId is null ? [] : [e.EventTypeId]);
    }

    public override TeamAssignments? Evolve(TeamAssignments? snapshot, Guid id, IEvent e)
    {
        if (e.Data is not BookingConfirmed { TeamId: not null } confirmed) return snapshot;
        snapshot ??= new TeamAssignments { Id = id };
        foreach (var member in confirmed.ReservedUserIds)
        {
            var tally = snapshot.Members.GetValueOrDefault(member);
            snapshot.Members[member] = new AssignmentTally(tally.Count + 1, confirmed.ConfirmedAt);
        }
        return snapshot;
    }
}

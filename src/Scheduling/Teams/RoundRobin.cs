using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Teams;

/// <summary>How often a member has been assigned this event type, and when last.</summary>
public readonly record struct AssignmentTally(int Count, DateTimeOffset? LastAssignedAt);

public static class RoundRobin
{
    /// <summary>
    /// The order in which to offer a slot to its free members. Members weighted 0 are never offered it; the highest
    /// priority comes first. Within a priority, <see cref="RoundRobinStrategy.Fair"/> puts first the member whose
    /// assignments per unit of weight are fewest, and <see cref="RoundRobinStrategy.Available"/> ignores counts;
    /// then ties go to the least recently assigned (never assigned counts as longest ago), then to a stable id order.
    /// The booking tries them in this order when a race takes the first one.
    /// </summary>
    public static IReadOnlyList<Guid> Order(
        IEnumerable<Guid> freeMembers, IReadOnlyDictionary<Guid, AssignmentTally> tallies, RoundRobinSettings? settings = null)
    {
        settings ??= RoundRobinSettings.Default;
        var fair = settings.Strategy == RoundRobinStrategy.Fair;
        return [.. freeMembers
            .Distinct()
            .Select(id => (Id: id, Weighting: settings.For(id), Tally: tallies.TryGetValue(id, out var t) ? t : default))
            .Where(m => m.Weighting.Weight > 0)
            .OrderByDescending(m => m.Weighting.Priority)
            // Division is correctly rounded, so equal shares (3 of 300, 1 of 100) compare equal.
            .ThenBy(m => fair ? (double)m.Tally.Count / m.Weighting.Weight : 0)
            .ThenBy(m => m.Tally.LastAssignedAt ?? DateTimeOffset.MinValue)
            .ThenBy(m => m.Id)
            .Select(m => m.Id)];
    }

    /// <summary>
    /// The tallies as they were before <paramref name="assignees"/> took the booking being moved: a reschedule is assigned
    /// afresh, and its old assignment must not count against the members who held it.
    /// </summary>
    public static IReadOnlyDictionary<Guid, AssignmentTally> Releasing(IReadOnlyDictionary<Guid, AssignmentTally> tallies, IEnumerable<Guid> assignees)
    {
        var released = new Dictionary<Guid, AssignmentTally>(tallies);
        foreach (var id in assignees)
            if (released.TryGetValue(id, out var tally)) released[id] = tally with { Count = Math.Max(0, tally.Count - 1) };
        return released;
    }
}

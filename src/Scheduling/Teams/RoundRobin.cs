namespace OpenCalendly.Scheduling.Teams;

/// <summary>How often a member has been assigned this event type, and when last.</summary>
public readonly record struct AssignmentTally(int Count, DateTimeOffset? LastAssignedAt);

public static class RoundRobin
{
    /// <summary>
    /// The order in which to offer a slot to its free members: fewest assignments first, ties to the least
    /// recently assigned (never assigned counts as longest ago), then a stable id order. The booking tries
    /// them in this order when a race takes the first one.
    /// </summary>
    public static IReadOnlyList<Guid> Order(IEnumerable<Guid> freeMembers, IReadOnlyDictionary<Guid, AssignmentTally> tallies) =>
        [.. freeMembers
            .Distinct()
            .Select(id => (Id: id, Tally: tallies.TryGetValue(id, out var t) ? t : default))
            .OrderBy(m => m.Tally.Count)
            .ThenBy(m => m.Tally.LastAssignedAt ?? DateTimeOffset.MinValue)
            .ThenBy(m => m.Id)
            .Select(m => m.Id)];
}

using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Teams;

/// <summary>A team slot and the members who could take it, each with the buffers of their own window.</summary>
public sealed record TeamSlot(Instant Start, Instant End, IReadOnlyList<MemberSlot> Members);

public readonly record struct MemberSlot(Guid MemberId, Slot Slot);

/// <summary>
/// Merges each member's own slots (computed in their zone, from their rules and reservations) into the
/// team's: round robin offers a start when any member is free there; collective only when every required
/// member is. Cost: one pass over all members' sorted slots.
/// </summary>
public static class TeamSlots
{
    public static IReadOnlyList<TeamSlot> Merge(TeamMode mode, IReadOnlyDictionary<Guid, IReadOnlyList<Slot>> slotsByMember)
    {
        var byStart = new SortedDictionary<Instant, List<MemberSlot>>();
        foreach (var (memberId, slots) in slotsByMember.OrderBy(m => m.Key))
            foreach (var slot in slots)
            {
                if (!byStart.TryGetValue(slot.Start, out var members)) byStart[slot.Start] = members = [];
                members.Add(new MemberSlot(memberId, slot));
            }

        var needed = slotsByMember.Count;
        return [.. byStart
            .Where(s => s.Value.Count > 0 && (mode == TeamMode.RoundRobin || s.Value.Count == needed && needed > 0))
            .Select(s => new TeamSlot(s.Key, s.Value[0].Slot.End, s.Value))];
    }
}

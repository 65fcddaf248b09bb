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
        // A k-way merge of lists already sorted by start; members in id order so each slot lists them stably.
        var members = slotsByMember.OrderBy(m => m.Key).ToArray();
        var cursors = new int[members.Length];
        var merged = new List<TeamSlot>();
        while (true)
        {
            Instant? next = null;
            for (var m = 0; m < members.Length; m++)
                if (cursors[m] < members[m].Value.Count && (next is null || members[m].Value[cursors[m]].Start < next))
                    next = members[m].Value[cursors[m]].Start;
            if (next is not { } start) return merged;

            var free = new List<MemberSlot>(members.Length);
            for (var m = 0; m < members.Length; m++)
                if (cursors[m] < members[m].Value.Count && members[m].Value[cursors[m]].Start == start)
                    free.Add(new MemberSlot(members[m].Key, members[m].Value[cursors[m]++]));
            if (mode == TeamMode.RoundRobin || free.Count == members.Length)
                merged.Add(new TeamSlot(start, free[0].Slot.End, free));
        }
    }
}

using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Teams;

/// <summary>The members a team event type draws on.</summary>
public static class TeamPool
{
    /// <summary>
    /// Its required members, or else the whole team; only those who accepted their invitation and are still in the team
    /// (an invitation or a removed member never publishes anyone's time), and for round robin only those weighted above 0
    /// (a member who is never assigned publishes no time of their own).
    /// </summary>
    public static IReadOnlyList<Guid> Of(EventType eventType, IReadOnlyCollection<Guid> activeMembers)
    {
        IEnumerable<Guid> pool = eventType.RequiredMemberIds.Count > 0 ? eventType.RequiredMemberIds.Where(activeMembers.Contains) : activeMembers;
        if (eventType.Mode == TeamMode.RoundRobin) pool = pool.Where(id => eventType.EffectiveRoundRobin.For(id).Weight > 0);
        return [.. pool];
    }
}

public static class BookTeamSlot
{
    /// <summary>How many free members a round-robin booking tries when racing bookings take the first ones.</summary>
    public const int MaxCandidates = 3;

    /// <summary>
    /// Whom a team booking tries, in order, each in its own locked attempt: collective reserves the whole pool at once;
    /// round robin offers the slot to its free members in <see cref="RoundRobin"/> order, so a member lost to a racing
    /// booking passes it to the next, at most <see cref="MaxCandidates"/> of them.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<Guid>> Attempts(
        EventType eventType, IReadOnlyList<Guid> pool, TeamSlot offered, IReadOnlyDictionary<Guid, AssignmentTally> tallies) =>
        eventType.Mode == TeamMode.Collective
            ? [pool]
            : [.. RoundRobin.Order(offered.Members.Select(m => m.MemberId), tallies, eventType.EffectiveRoundRobin).Take(MaxCandidates).Select(id => (IReadOnlyList<Guid>)[id])];

    /// <summary>
    /// Confirms a team booking for the given assignees, each free at the start by their own slots. Every
    /// assignee is reserved; the booking holds the widest buffers among them, so no one's buffer is cut short.
    /// </summary>
    public static BookingConfirmed Decide(
        Guid bookingId, EventType eventType, IReadOnlyList<MemberSlot> assignees, BookingRequest request, ActionTokenHashes tokens, Instant now)
    {
        if (assignees.Count == 0) throw new ArgumentException("A team booking needs at least one assignee.", nameof(assignees));
        var start = assignees[0].Slot.Start;
        return new BookingConfirmed(
            bookingId, eventType.Id, eventType.OrganizerId, [.. assignees.Select(a => a.MemberId)],
            start.ToDateTimeOffset(), assignees[0].Slot.End.ToDateTimeOffset(),
            assignees.Max(a => a.Slot.BufferBeforeMinutes), assignees.Max(a => a.Slot.BufferAfterMinutes),
            request.InviteeName, request.InviteeEmail, request.InviteeTimezone, request.Answers,
            tokens.Cancel, tokens.Reschedule, ActionLinks.ExpiresAt(start, now).ToDateTimeOffset(), now.ToDateTimeOffset(),
            eventType.TeamId, eventType.Mode, tokens.Manage);
    }

    /// <summary>
    /// Who takes a moved team booking's new slot, decided where every pool member is already locked: collective needs all
    /// of them free; round robin gives it to the first free member in <see cref="RoundRobin"/> order, counting without
    /// the assignment being moved (<paramref name="movedFrom"/>). Null: nobody can.
    /// </summary>
    public static IReadOnlyList<MemberSlot>? Assign(
        EventType eventType, TeamSlot? slot, int poolSize, IReadOnlyDictionary<Guid, AssignmentTally> tallies, IReadOnlyList<Guid> movedFrom)
    {
        if (slot is null) return null;
        if (eventType.Mode == TeamMode.Collective) return slot.Members.Count == poolSize ? slot.Members : null;
        var first = RoundRobin.Order(slot.Members.Select(m => m.MemberId), RoundRobin.Releasing(tallies, movedFrom), eventType.EffectiveRoundRobin)
            .Cast<Guid?>().FirstOrDefault();
        return slot.Members.Where(m => m.MemberId == first).Take(1).ToList() is { Count: 1 } chosen ? chosen : null;
    }
}

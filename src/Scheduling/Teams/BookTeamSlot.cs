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
        Guid bookingId, EventType eventType, IReadOnlyList<MemberSlot> assignees, BookingRequest request, ActionTokenHashes tokens, Instant now,
        BookingSeat? seat = null)
    {
        if (assignees.Count == 0) throw new ArgumentException("A team booking needs at least one assignee.", nameof(assignees));
        var start = assignees[0].Slot.Start;
        return new BookingConfirmed(
            bookingId, eventType.Id, eventType.OrganizerId, [.. assignees.Select(a => a.MemberId)],
            start.ToDateTimeOffset(), assignees[0].Slot.End.ToDateTimeOffset(),
            assignees.Max(a => a.Slot.BufferBeforeMinutes), assignees.Max(a => a.Slot.BufferAfterMinutes),
            request.InviteeName, request.InviteeEmail, request.InviteeTimezone, request.Answers,
            tokens.Cancel, tokens.Reschedule, ActionLinks.ExpiresAt(start, now).ToDateTimeOffset(), now.ToDateTimeOffset(),
            eventType.TeamId, eventType.Mode, tokens.Manage, seat);
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

/// <summary>A team slot offered to invitees of a seated collective event type, with how many seats are left.</summary>
public readonly record struct OfferedTeamSeats(TeamSlot Slot, int SeatsRemaining);

public static class BookTeamSeat
{
    /// <summary>
    /// What a seated collective event type offers: every slot where the whole pool is free, with all its seats, and every slot
    /// that has started filling and still has a seat, within <c>[from, to)</c>, the notice and the window, although the pool is
    /// busy then (with it). Sorted by start.
    /// </summary>
    public static IReadOnlyList<OfferedTeamSeats> Offer(
        EventType eventType, DateTimeZone ownerZone, IReadOnlyList<Guid> pool, IReadOnlyList<TeamSlot> free, IReadOnlyList<SeatedSlot> filling,
        Instant from, Instant to, Instant now) =>
        [.. free.Select(s => new OfferedTeamSeats(s, eventType.Seats.PerSlot))
            .Concat(Seats.Open(pool.Count > 0 ? filling : [], from, to, eventType.Seats.PerSlot,
                    start => SlotCalculator.InNoticeAndWindow(eventType.Controls, ownerZone, now, start))
                .Select(o => new OfferedTeamSeats(new TeamSlot(o.Filling.Slot.Start, o.Filling.Slot.End, Everyone(pool, o.Filling.Slot)), o.SeatsLeft)))
            .OrderBy(o => o.Slot.Start)];

    private static IReadOnlyList<MemberSlot> Everyone(IReadOnlyList<Guid> pool, Slot slot) => [.. pool.Select(id => new MemberSlot(id, slot))];

    /// <summary>
    /// A seat at a collective team event type's seated slot: every seat meets the whole pool. When the slot has started
    /// filling (<paramref name="filling"/>), the invitee joins it at the lowest free seat while one is left and its start is
    /// still within the notice and the window (counted in <paramref name="ownerZone"/>); the pool's time is held by it already.
    /// Otherwise every member must be free then (<paramref name="free"/>, as <see cref="BookTeamSlot.Assign"/> answers), and
    /// this first seat holds all their time.
    /// </summary>
    public static Decision<BookingConfirmed> Confirm(
        Guid bookingId, EventType eventType, DateTimeZone ownerZone, IReadOnlyList<Guid> pool, IReadOnlyList<MemberSlot>? free, SeatedSlot? filling,
        BookingRequest request, ActionTokenHashes tokens, Instant now)
    {
        var perSlot = eventType.Seats.PerSlot;
        if (filling is not null)
            return pool.Count > 0 && SlotCalculator.InNoticeAndWindow(eventType.Controls, ownerZone, now, request.StartsAt)
                && filling.Join(request.StartsAt, perSlot) is { } seat
                ? BookTeamSlot.Decide(bookingId, eventType, Everyone(pool, filling.Slot), request, tokens, now, seat)
                : BookingRefusals.SlotTaken();
        return free is { Count: > 0 }
            ? BookTeamSlot.Decide(bookingId, eventType, free, request, tokens, now, Seats.First(eventType.Id, free[0].Slot.Start, perSlot))
            : BookingRefusals.SlotTaken();
    }
}

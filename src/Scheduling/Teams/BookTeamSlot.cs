using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Teams;

public static class BookTeamSlot
{
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
    /// Who takes a team slot, decided where every pool member is already locked: collective needs all of
    /// them free; round robin gives it to the first free member in fairness order. Null: nobody can.
    /// </summary>
    public static IReadOnlyList<MemberSlot>? Assign(EventType eventType, TeamSlot? slot, int poolSize, IReadOnlyDictionary<Guid, AssignmentTally> tallies)
    {
        if (slot is null) return null;
        if (eventType.Mode == TeamMode.Collective) return slot.Members.Count == poolSize ? slot.Members : null;
        var first = RoundRobin.Order(slot.Members.Select(m => m.MemberId), tallies).FirstOrDefault();
        return slot.Members.Where(m => m.MemberId == first).Take(1).ToList() is { Count: 1 } chosen ? chosen : null;
    }
}

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
        var start = assignees[0].Slot.Start;
        return new BookingConfirmed(
            bookingId, eventType.Id, eventType.OrganizerId, [.. assignees.Select(a => a.MemberId)],
            start.ToDateTimeOffset(), assignees[0].Slot.End.ToDateTimeOffset(),
            assignees.Max(a => a.Slot.BufferBeforeMinutes), assignees.Max(a => a.Slot.BufferAfterMinutes),
            request.InviteeName, request.InviteeEmail, request.InviteeTimezone, request.Answers,
            tokens.Cancel, tokens.Reschedule, start.ToDateTimeOffset(), now.ToDateTimeOffset(),
            eventType.TeamId, eventType.Mode);
    }
}

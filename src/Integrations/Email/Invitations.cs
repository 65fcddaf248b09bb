using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace OpenCalendly.Integrations.Email;

public enum InvitationMethod { Request, Cancel }

/// <summary>One person on an invitation.</summary>
public sealed record Participant(string Name, string Email);

/// <summary>
/// An iCalendar (RFC 5545 / iTIP) invitation. One UID per booking chain and an increasing SEQUENCE let
/// Google Calendar, Outlook and Apple Calendar update or remove the event they already have.
/// </summary>
public sealed record Invitation(
    InvitationMethod Method, string Uid, int Sequence, DateTimeOffset Start, DateTimeOffset End,
    string Summary, string? Description, string? Location, Participant Organizer, Participant Attendee, DateTimeOffset Stamp)
{
    public const string FileName = "invite.ics";

    public string ContentType => $"text/calendar; method={MethodName}; charset=utf-8";

    private string MethodName => Method == InvitationMethod.Cancel ? "CANCEL" : "REQUEST";

    public string ToIcs()
    {
        var calendarEvent = new CalendarEvent
        {
            Uid = Uid,
            Sequence = Sequence,
            DtStamp = new CalDateTime(Stamp.UtcDateTime, true),
            DtStart = new CalDateTime(Start.UtcDateTime, true),
            DtEnd = new CalDateTime(End.UtcDateTime, true),
            Summary = Summary,
            Description = Description,
            Location = Location,
            Status = Method == InvitationMethod.Cancel ? "CANCELLED" : "CONFIRMED",
            Organizer = new Organizer($"mailto:{Organizer.Email}") { CommonName = Parameter(Organizer.Name) },
        };
        calendarEvent.Attendees.Add(new Attendee($"mailto:{Attendee.Email}")
        {
            CommonName = Parameter(Attendee.Name),
            Role = "REQ-PARTICIPANT",
            ParticipationStatus = Method == InvitationMethod.Cancel ? "DECLINED" : "ACCEPTED",
            Rsvp = false,
        });

        var calendar = new Calendar { Method = MethodName, ProductId = "-//OpenCalendly//Scheduling//EN" };
        calendar.Events.Add(calendarEvent);
        return new CalendarSerializer().SerializeToString(calendar) ?? throw new InvalidOperationException("iCalendar serialization failed.");
    }

    /// <summary>
    /// A parameter value (CN) has no escaping in RFC 5545: control characters and double quotes cannot be written
    /// in one, so they are dropped (a line break there would start a line of the caller's choosing).
    /// </summary>
    public static string Parameter(string value) => new([.. value.Where(c => !char.IsControl(c) && c is not '"' and not '\u2028' and not '\u2029')]);

    public EmailAttachment ToAttachment() => new(FileName, ContentType, ToIcs());
}

using System.Net;
using NodaTime;
using NodaTime.Text;

namespace OpenCalendly.Integrations.Email;

/// <summary>Everything a booking email says; built by the Host from the booking, its event type and organizer.</summary>
public sealed record BookingFacts(
    Guid BookingId,
    string CalendarUid,
    int CalendarSequence,
    string EventName,
    string? Location,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    Participant Invitee,
    string InviteeTimezone,
    Participant Organizer,
    string OrganizerTimezone,
    string? ManageUrl,
    IReadOnlyList<CoHost>? CoHosts = null,
    IReadOnlyList<Answer>? Answers = null);

/// <summary>An invitee's answer to a booking question, for the hosts' emails.</summary>
public sealed record Answer(string Question, string Value);

/// <summary>Another member who holds a team booking (collective), told in their own zone.</summary>
public sealed record CoHost(Participant Person, string Timezone);

/// <summary>
/// The emails a scheduler sends: to the invitee (with the link to their manage page) and to the organizer, each
/// showing the time in the recipient's own zone and carrying the calendar invitation.
/// </summary>
public static class BookingEmails
{
    /// <summary>The kind (and delivery id prefix) of the emails sent when a booking is canceled.</summary>
    public const string CanceledKind = "booking-canceled";

    private static readonly ZonedDateTimePattern When = ZonedDateTimePattern.CreateWithInvariantCulture("dddd d MMMM uuuu, HH:mm", null);
    private static readonly ZonedDateTimePattern Until = ZonedDateTimePattern.CreateWithInvariantCulture("HH:mm", null);

    public static EmailMessage[] Confirmed(BookingFacts f, DateTimeOffset now) => Both(f, "booking-confirmed", InvitationMethod.Request, now,
        invitee: $"Confirmed: {f.EventName} with {f.Organizer.Name}",
        organizer: $"New booking: {f.EventName} with {f.Invitee.Name}",
        lead: "is booked");

    public static EmailMessage[] Canceled(BookingFacts f, string? reason, DateTimeOffset now) => Both(f with { ManageUrl = null },
        CanceledKind, InvitationMethod.Cancel, now,
        invitee: $"Canceled: {f.EventName} with {f.Organizer.Name}",
        organizer: $"Canceled: {f.EventName} with {f.Invitee.Name}",
        lead: "was canceled" + (string.IsNullOrWhiteSpace(reason) ? "" : $" (reason given: {Quoted(reason)})"));

    public static EmailMessage[] Rescheduled(BookingFacts f, DateTimeOffset now) => Both(f, "booking-rescheduled", InvitationMethod.Request, now,
        invitee: $"Rescheduled: {f.EventName} with {f.Organizer.Name}",
        organizer: $"Rescheduled: {f.EventName} with {f.Invitee.Name}",
        lead: "was moved to a new time");

    /// <summary>
    /// A reminder <paramref name="minutesBefore"/> minutes ahead, to the invitee and/or the hosts. It carries no
    /// links (the booking keeps only hashes of its action tokens) and no invitation: the calendar already has the event.
    /// </summary>
    public static EmailMessage[] Reminder(BookingFacts f, int minutesBefore, bool toInvitee, bool toHosts)
    {
        var role = $".{minutesBefore}m";
        var soon = Ahead(minutesBefore);
        var messages = new List<EmailMessage>();
        if (toInvitee)
            messages.Add(Message(f, "booking-reminder", "invitee" + role, f.Invitee, f.InviteeTimezone,
                $"Reminder: {f.EventName} with {f.Organizer.Name} {soon}", $"Your {f.EventName} with {f.Organizer.Name} starts {soon}.", links: false, null));
        if (toHosts)
        {
            var lead = $"{f.EventName} with {f.Invitee.Name} ({f.Invitee.Email}) starts {soon}.";
            var subject = $"Reminder: {f.EventName} with {f.Invitee.Name} {soon}";
            messages.Add(Message(f, "booking-reminder", "organizer" + role, f.Organizer, f.OrganizerTimezone, subject, lead, links: false, null));
            messages.AddRange((f.CoHosts ?? []).Select(co =>
                Message(f, "booking-reminder", $"organizer.{co.Person.Email.ToLowerInvariant()}{role}", co.Person, co.Timezone, subject, lead, links: false, null)));
        }
        return [.. messages];
    }

    /// <summary>"in 30 minutes", "in 2 hours", "in 1 day", "in 90 minutes": whole hours and days read as such.</summary>
    public static string Ahead(int minutes) => minutes switch
    {
        _ when minutes % 1440 == 0 => $"in {minutes / 1440} day{(minutes == 1440 ? "" : "s")}",
        _ when minutes % 60 == 0 => $"in {minutes / 60} hour{(minutes == 60 ? "" : "s")}",
        _ => $"in {minutes} minutes",
    };

    private static EmailMessage[] Both(BookingFacts f, string kind, InvitationMethod method, DateTimeOffset now, string invitee, string organizer, string lead)
    {
        var attachment = new Invitation(method, f.CalendarUid, f.CalendarSequence, f.StartsAt, f.EndsAt,
            $"{f.EventName}: {f.Organizer.Name} and {f.Invitee.Name}", null, f.Location, f.Organizer, f.Invitee, now).ToAttachment();
        var hostLead = $"{f.EventName} with {f.Invitee.Name} ({f.Invitee.Email}) {lead}.";
        return
        [
            Message(f, kind, "invitee", f.Invitee, f.InviteeTimezone, invitee, $"Your {f.EventName} with {f.Organizer.Name} {lead}.", links: true, attachment),
            Message(f, kind, "organizer", f.Organizer, f.OrganizerTimezone, organizer, hostLead, links: false, attachment),
            .. (f.CoHosts ?? []).Select(co =>
                Message(f, kind, $"organizer.{co.Person.Email.ToLowerInvariant()}", co.Person, co.Timezone, organizer, hostLead, links: false, attachment)),
        ];
    }

    private static EmailMessage Message(BookingFacts f, string kind, string role, Participant to, string zone, string subject, string lead, bool links, EmailAttachment? attachment)
    {
        var time = Describe(f.StartsAt, f.EndsAt, zone);
        var lines = new List<(string Label, string Value)> { ("When", time) };
        if (!string.IsNullOrWhiteSpace(f.Location)) lines.Add(("Where", f.Location));
        if (links && f.ManageUrl is not null) lines.Add(("Reschedule or cancel", f.ManageUrl));
        // The hosts read what the invitee answered; the invitee's own emails do not repeat it.
        if (!role.StartsWith("invitee", StringComparison.Ordinal))
            lines.AddRange((f.Answers ?? []).Where(a => !string.IsNullOrWhiteSpace(a.Value)).Select(a => (OneLine(a.Question), Quoted(a.Value))));

        var text = $"{lead}\n\n{string.Join("\n", lines.Select(l => $"{l.Label}: {l.Value}"))}\n";
        var html = $"<p>{Html(lead)}</p><table>{string.Join("", lines.Select(l => $"<tr><th align=\"left\">{Html(l.Label)}</th><td>{Cell(l)}</td></tr>"))}</table>";
        return new EmailMessage($"{kind}:{f.BookingId}:{role}", kind, to.Email, subject, text, html, attachment is null ? [] : [attachment], f.BookingId);
    }

    /// <summary>"Tuesday 4 June 2030, 10:00–10:30 (Europe/London)" in the recipient's zone.</summary>
    public static string Describe(DateTimeOffset start, DateTimeOffset end, string zoneId)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) ?? DateTimeZone.Utc;
        var from = Instant.FromDateTimeOffset(start).InZone(zone);
        var to = Instant.FromDateTimeOffset(end).InZone(zone);
        return $"{When.Format(from)}–{Until.Format(to)} ({zone.Id})";
    }

    private static string OneLine(string text) => new([.. text.Where(c => !char.IsControl(c))]);

    private static string Cell((string Label, string Value) line) =>
        line.Value.StartsWith("http", StringComparison.Ordinal) ? $"<a href=\"{Html(line.Value)}\">{Html(line.Value)}</a>" : Html(line.Value);

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    /// <summary>
    /// Someone else's free text inside our sentence: one line (breaks become " / ", other control characters go), in
    /// quotation marks, so it cannot pose as a paragraph or a link line of ours. HTML encoding happens where it is written.
    /// </summary>
    public static string Quoted(string text)
    {
        var lines = text.Split(['\r', '\n', '\u2028', '\u2029', '\u0085'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var oneLine = new string(string.Join(" / ", lines).Where(c => !char.IsControl(c)).ToArray());
        return $"“{(oneLine.Length > 500 ? oneLine[..500] + "…" : oneLine)}”";
    }
}

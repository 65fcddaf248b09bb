using OpenCalendly.Host.Api;
using OpenCalendly.Host.Email;
using OpenCalendly.Host.Identity;
using OpenCalendly.Integrations.Email;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Bookings;

/// <summary>Turns a booking into the sealed email messages its lifecycle sends.</summary>
public sealed class BookingMail(EmailOutbox outbox, IConfiguration config)
{
    public SendEmail[] Confirmed(HttpRequest request, Booking booking, EventType eventType, User organizer, ActionTokens tokens, DateTimeOffset now) =>
        Seal(BookingEmails.Confirmed(Facts(request, booking, eventType, organizer, tokens), now));

    public SendEmail[] Rescheduled(HttpRequest request, Booking booking, EventType eventType, User organizer, ActionTokens tokens, DateTimeOffset now) =>
        Seal(BookingEmails.Rescheduled(Facts(request, booking, eventType, organizer, tokens), now));

    /// <summary>A cancellation raises the invitation's sequence past the last one sent, so calendars drop the event.</summary>
    public SendEmail[] Canceled(Booking booking, EventType eventType, User organizer, string? reason, DateTimeOffset now) =>
        Seal(BookingEmails.Canceled(Facts(null, booking, eventType, organizer, null) with { CalendarSequence = booking.CalendarSequence + 1 }, reason, now));

    /// <summary>The invitee's manage page for a token (served by the front end).</summary>
    public string ManageUrl(HttpRequest request, string token) => $"{PublicUrls.Base(config, request)}/booking/actions/{token}";

    private BookingFacts Facts(HttpRequest? request, Booking booking, EventType eventType, User organizer, ActionTokens? tokens) => new(
        booking.Id, booking.CalendarUid, booking.CalendarSequence, eventType.Name, eventType.LocationValue ?? Describe(eventType.LocationType),
        booking.StartsAt, booking.EndsAt,
        new Participant(booking.InviteeName, booking.InviteeEmail), booking.InviteeTimezone,
        new Participant(organizer.DisplayName, organizer.Email), organizer.Timezone,
        request is not null && tokens is not null ? ManageUrl(request, tokens.Cancel) : null,
        request is not null && tokens is not null ? ManageUrl(request, tokens.Reschedule) : null);

    private static string Describe(LocationType type) => type switch
    {
        LocationType.Video => "Video call",
        LocationType.Phone => "Phone call",
        LocationType.InPerson => "In person",
        _ => "See the organizer's details",
    };

    private SendEmail[] Seal(EmailMessage[] emails) => [.. emails.Select(outbox.Seal)];
}

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
    /// <param name="hosts">Who holds the booking: the organizer, or a team booking's assigned members (the first leads the invitation).</param>
    public SendEmail[] Confirmed(HttpRequest request, Booking booking, EventType eventType, IReadOnlyList<User> hosts, ActionTokens tokens, DateTimeOffset now) =>
        Seal(BookingEmails.Confirmed(Facts(request, booking, eventType, hosts, tokens), now));

    public SendEmail[] Rescheduled(HttpRequest request, Booking booking, EventType eventType, IReadOnlyList<User> hosts, ActionTokens tokens, DateTimeOffset now) =>
        Seal(BookingEmails.Rescheduled(Facts(request, booking, eventType, hosts, tokens), now));

    /// <summary>A cancellation raises the invitation's sequence past the last one sent, so calendars drop the event.</summary>
    public SendEmail[] Canceled(Booking booking, EventType eventType, IReadOnlyList<User> hosts, string? reason, DateTimeOffset now) =>
        Seal(BookingEmails.Canceled(Facts(null, booking, eventType, hosts, null) with { CalendarSequence = booking.CalendarSequence + 1 }, reason, now));

    public SendEmail[] Reminder(Booking booking, EventType eventType, IReadOnlyList<User> hosts, Reminder reminder) =>
        Seal(BookingEmails.Reminder(Facts(null, booking, eventType, hosts, null), reminder.MinutesBefore,
            toInvitee: reminder.Recipients is ReminderRecipients.Invitee or ReminderRecipients.Both,
            toHosts: reminder.Recipients is ReminderRecipients.Organizer or ReminderRecipients.Both));

    /// <summary>The people who hold a booking, in the order given: its organizer, or a team booking's assigned members.</summary>
    public static async Task<IReadOnlyList<User>> HostsAsync(Marten.IQuerySession db, Booking booking, CancellationToken ct) =>
        await HostsAsync(db, booking.TeamId is null ? [booking.OrganizerId] : booking.ReservedUserIds, ct);

    public static async Task<IReadOnlyList<User>> HostsAsync(Marten.IQuerySession db, IReadOnlyList<Guid> ids, CancellationToken ct) =>
        InOrder(ids, await db.LoadManyAsync<User>(ct, ids));

    /// <summary>Those of <paramref name="ids"/> found among <paramref name="users"/>, in the order of <paramref name="ids"/> (the first leads the invitation).</summary>
    public static IReadOnlyList<User> InOrder(IReadOnlyList<Guid> ids, IEnumerable<User> users)
    {
        var byId = users.ToDictionary(u => u.Id);
        return [.. ids.Where(byId.ContainsKey).Select(id => byId[id])];
    }

    /// <summary>The invitee's manage page for a token (served by the front end).</summary>
    private string ManageUrl(HttpRequest request, string token) => BookingAnswers.PageUrl(PublicUrls.Base(config, request), token);

    private BookingFacts Facts(HttpRequest? request, Booking booking, EventType eventType, IReadOnlyList<User> hosts, ActionTokens? tokens)
    {
        if (hosts.Count == 0) throw new ArgumentException("A booking email needs at least one host.", nameof(hosts));
        var organizer = hosts[0];
        return new(
        booking.Id, booking.CalendarUid, booking.CalendarSequence, eventType.Name, eventType.LocationValue ?? Describe(eventType.LocationType),
        booking.StartsAt, booking.EndsAt,
        new Participant(booking.InviteeName, booking.InviteeEmail), booking.InviteeTimezone,
        new Participant(organizer.DisplayName, organizer.Email), organizer.Timezone,
        request is not null && tokens is not null ? ManageUrl(request, tokens.Manage) : null,
        [.. hosts.Skip(1).Select(h => new CoHost(new Participant(h.DisplayName, h.Email), h.Timezone))],
        [.. AnswerJson.Of(booking, eventType).Select(a => new Answer(a.Label, a.Value))]);
    }

    private static string Describe(LocationType type) => type switch
    {
        LocationType.Video => "Video call",
        LocationType.Phone => "Phone call",
        LocationType.InPerson => "In person",
        _ => "See the organizer's details",
    };

    private SendEmail[] Seal(EmailMessage[] emails) => [.. emails.Select(outbox.Seal)];
}

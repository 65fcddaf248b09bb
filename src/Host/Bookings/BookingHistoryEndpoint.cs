using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Email;
using OpenCalendly.Host.Identity;
using OpenCalendly.Integrations.Email;
using OpenCalendly.Scheduling.Bookings;
using Wolverine.Http;

namespace OpenCalendly.Host.Bookings;

/// <summary>Who did something to a booking: its invitee (through the action links), the system, or a person by id.</summary>
public sealed record ActorJson(string Kind, string? Name, string? Email);

public sealed record HistoryBookingJson(
    Guid Id, BookingStatus Status, DateTimeOffset StartsAt, DateTimeOffset EndsAt, Guid? RescheduledFromBookingId, Guid? RescheduledToBookingId,
    string InviteeName, string InviteeEmail, string InviteeTimezone, IReadOnlyList<AnswerJson> Answers, string? CancelReason);

/// <summary><c>GET /v0/bookings/{id}/history</c>: the booking, the zone the sentences use, and its timeline.</summary>
public sealed record BookingHistoryAnswer(bool Ok, HistoryBookingJson Booking, string Timezone, IReadOnlyList<HistoryEntryJson> History);

/// <summary>One line of a booking's timeline: when, who, what (a sentence in the organizer's zone), and the facts behind it.</summary>
public sealed record HistoryEntryJson(DateTimeOffset At, long? Version, string Type, ActorJson Actor, string Summary, object Details);

/// <summary>
/// The booking's own event stream as a timeline, with the emails sent about it. Visible to the people who
/// hold the booking (its organizer and, for team bookings, its assigned members); anyone else gets 404.
/// Token hashes are never shown.
/// </summary>
public static class BookingHistoryEndpoint
{
    [Scope(ApiScopes.BookingsRead)]
    [ProducesResponseType<BookingHistoryAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverineGet("/v0/bookings/{id}/history", OperationId = "bookingHistory")]
    public static async Task<IResult> Get(Guid id, ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        var userId = caller.UserId();
        if (await OrganizerBookings.HeldByAsync(db, id, userId, ct) is not { } booking)
            return Problems.Result(Problems.NotFound("Booking not found."));

        var viewer = await db.LoadAsync<User>(userId, ct);
        var zone = viewer is null ? "UTC" : viewer.Timezone;
        var invitee = new ActorJson("invitee", booking.InviteeName, booking.InviteeEmail);
        var system = new ActorJson("system", "OpenCalendly", null);

        var events = await db.Events.FetchStreamAsync(id, token: ct);
        var hostIds = events.Select(e => e.Data).OfType<BookingCanceled>().Select(c => c.CanceledByUserId).OfType<Guid>().Distinct().ToArray();
        var hosts = hostIds.Length == 0 ? new Dictionary<Guid, User>() : (await db.LoadManyAsync<User>(ct, hostIds)).ToDictionary(u => u.Id);
        var entries = events.Select(e => Entry(e, invitee, system, zone, hosts)).OfType<HistoryEntryJson>().ToList();
        var emails = await db.Query<EmailDelivery>().Where(d => d.BookingId == id).ToListAsync(ct);
        entries.AddRange(emails.Select(d => new HistoryEntryJson(d.UpdatedAt, null, "email." + d.Status.ToString().ToLowerInvariant(), system,
            $"Email \"{d.Kind}\" {Recipient(d.Id)}: {Describe(d)}", new { deliveryId = d.Id, d.Kind, status = d.Status, d.Attempts, d.LastError, d.Provider })));

        return Results.Json(new BookingHistoryAnswer(true,
            new(booking.Id, booking.Status, booking.StartsAt, booking.EndsAt, booking.RescheduledFromBookingId, booking.RescheduledToBookingId,
                booking.InviteeName, booking.InviteeEmail, booking.InviteeTimezone,
                AnswerJson.Of(booking, await db.LoadAsync<OpenCalendly.Scheduling.EventTypes.EventType>(booking.EventTypeId, ct)), booking.CancelReason),
            zone,
            [.. entries.OrderBy(e => e.At).ThenBy(e => e.Version ?? long.MaxValue)]));
    }

    private static HistoryEntryJson? Entry(IEvent e, ActorJson invitee, ActorJson system, string zone, IReadOnlyDictionary<Guid, User> hosts) => e.Data switch
    {
        BookingConfirmed c => new(e.Timestamp, e.Version, "booking.confirmed", invitee,
            $"{c.InviteeName} booked {BookingEmails.Describe(c.StartsAt, c.EndsAt, zone)}",
            new { c.StartsAt, c.EndsAt, c.InviteeTimezone, c.Answers, c.BufferBeforeMinutes, c.BufferAfterMinutes, assignmentUserIds = c.ReservedUserIds, c.TeamMode }),
        BookingRescheduledFrom f => new(e.Timestamp, e.Version, "booking.rescheduled_from", invitee,
            $"Continues booking {f.PreviousBookingId}, which {invitee.Name} moved here", new { f.PreviousBookingId }),
        BookingCanceled { CanceledByApiKeyName: { } key } c => new(e.Timestamp, e.Version, "booking.canceled", new ActorJson("api-key", key, null),
            $"API key \"{key}\" canceled" + (c.Reason is null ? "" : $" (reason: {c.Reason})"), new { c.Reason, canceledBy = c.CanceledByUserId, apiKey = key }),
        BookingCanceled { CanceledByUserId: { } by } c => new(e.Timestamp, e.Version, "booking.canceled",
            hosts.TryGetValue(by, out var host) ? new ActorJson("organizer", host.DisplayName, host.Email) : new ActorJson("organizer", "A host", null),
            $"{(hosts.TryGetValue(by, out var h) ? h.DisplayName : "A host")} canceled" + (c.Reason is null ? "" : $" (reason: {c.Reason})"), new { c.Reason, canceledBy = by }),
        BookingCanceled c => new(e.Timestamp, e.Version, "booking.canceled", invitee,
            $"{invitee.Name} canceled" + (c.Reason is null ? "" : $" (reason: {c.Reason})"), new { c.Reason }),
        BookingRescheduled r => new(e.Timestamp, e.Version, "booking.rescheduled", invitee,
            $"{invitee.Name} moved it to {BookingEmails.Describe(r.NewStartsAt, r.NewEndsAt, zone)}", new { r.NewBookingId, r.NewStartsAt, r.NewEndsAt }),
        BookingReminderSent s => new(e.Timestamp, e.Version, "booking.reminder_sent", system,
            $"Reminder {s.MinutesBefore} minutes before sent to {Recipients(s.Recipients)} ({s.EmailsQueued} email{(s.EmailsQueued == 1 ? "" : "s")})",
            new { s.MinutesBefore, to = s.Recipients, s.EmailsQueued }),
        _ => null,
    };

    private static string Recipients(Scheduling.EventTypes.ReminderRecipients to) => to switch
    {
        Scheduling.EventTypes.ReminderRecipients.Invitee => "the invitee",
        Scheduling.EventTypes.ReminderRecipients.Organizer => "the organizer",
        _ => "the invitee and the organizer",
    };

    /// <summary>Delivery ids are <c>kind:booking:role</c>; the role says who it went to.</summary>
    private static string Recipient(string deliveryId) =>
        deliveryId.Split(':') is [_, _, var role, ..] ? "to the " + (role.StartsWith("invitee", StringComparison.Ordinal) ? "invitee" : "organizer") : "";

    private static string Describe(EmailDelivery d) => d.Status switch
    {
        EmailDeliveryStatus.Succeeded => $"delivered via {d.Provider}" + (d.Attempts > 1 ? $" after {d.Attempts} attempts" : ""),
        EmailDeliveryStatus.Failed => $"failed after {d.Attempts} attempts ({d.LastError})",
        _ => $"pending, {d.Attempts} attempts so far" + (d.LastError is null ? "" : $" (last: {d.LastError})"),
    };
}

using Microsoft.AspNetCore.Mvc;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Calendars;
using OpenCalendly.Host.Identity;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten.Publishing;

namespace OpenCalendly.Host.Bookings;

public sealed record CancelBookingInput(string? Reason);

public static class CancelBookingEndpoint
{
    public static ProblemDetails Validate(CancelBookingInput? body) =>
        new FieldErrors().Text("reason", body?.Reason, 0, 500, multiline: true).ToProblem();

    /// <summary>
    /// Locks the booking's stream, so two cancels in a race run one after the other: the second finds it
    /// canceled and succeeds without appending or sending anything.
    /// </summary>
    [WolverinePost("/v0/bookings/actions/{token}/cancel", OperationId = "cancelBooking")]
    public static async Task<IResult> Post(
        string token, CancelBookingInput? body, OutboxedSessionFactory sessions, IMessageBus bus, BookingMail mail,
        WebhookQueue webhooks, BookingAnswers answers, TimeProvider clock, CancellationToken ct)
    {
        await using var session = sessions.OpenSession(bus);
        if (await ActionLinkLookup.FindAsync(session, token, ct) is not (var found, ActionType.Cancel))
            return Problems.Result(ActionLinkLookup.NotFound());

        var stream = await session.Events.FetchForExclusiveWriting<Booking>(found.Id, ct);
        var booking = stream.Aggregate!;
        var now = clock.GetUtcNow();
        if (CancelBooking.Check(booking, Instant.FromDateTimeOffset(now)) is { } refusal)
            return Problems.Result(ActionLinkLookup.Gone(refusal, booking));

        var events = CancelBooking.Decide(booking, string.IsNullOrWhiteSpace(body?.Reason) ? null : body.Reason.Trim(), Instant.FromDateTimeOffset(now));
        var (emails, hooks, writebacks) = (0, 0, 0);
        if (events.Length > 0)
        {
            stream.AppendMany(events);
            hooks = await webhooks.QueueAsync(session, bus, booking.OrganizerId, WebhookEvents.Canceled, Guid.CreateVersion7(),
                BookingPayloads.Of(booking, new { reason = events[0].Reason, canceledAt = events[0].CanceledAt }), now, ct);
            writebacks = await WritebackQueue.QueueAsync(session, bus, booking.Id, booking.ReservedUserIds, WritebackOperation.Cancel, now, ct);
            var eventType = await session.LoadAsync<EventType>(booking.EventTypeId, ct);
            // A team booking's emails go to the members who hold it, not to the team's owner.
            var hosts = await BookingMail.HostsAsync(session, booking, ct);
            if (eventType is not null && hosts.Count > 0)
                foreach (var email in mail.Canceled(booking, eventType, hosts, events[0].Reason, now))
                {
                    await bus.PublishAsync(email);
                    emails++;
                }
        }
        await session.SaveChangesAsync(ct);
        if (events.Length > 0) answers.Committed(booking, "canceled");

        return Results.Json(new
        {
            ok = true,
            booking = new { id = booking.Id, status = BookingStatus.Canceled },
            email = new { queued = emails },
            webhooks = new { queued = hooks },
            calendarWriteback = new { queued = writebacks },
        });
    }
}

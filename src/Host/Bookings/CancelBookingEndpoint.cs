using Microsoft.AspNetCore.RateLimiting;
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
using Marten;
using JasperFx.Events;
using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;

namespace OpenCalendly.Host.Bookings;

public sealed record CancelBookingInput(string? Reason)
{
    /// <summary>The reason as recorded: trimmed, and none when blank.</summary>
    public static string? Given(CancelBookingInput? body) => string.IsNullOrWhiteSpace(body?.Reason) ? null : body.Reason.Trim();
}

public static class CancelBookingEndpoint
{
    public static ProblemDetails Validate(CancelBookingInput? body) =>
        new FieldErrors().Text("reason", body?.Reason, 0, 500, multiline: true).ToProblem();

    /// <summary>
    /// Locks the booking's stream, so two cancels in a race run one after the other: the second finds it
    /// canceled and succeeds without appending or sending anything.
    /// </summary>
    [ProducesResponseType<BookingCanceledAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Booking)]
    [WolverinePost("/v0/bookings/actions/{token}/cancel", OperationId = "cancelBooking")]
    public static async Task<IResult> Post(
        string token, CancelBookingInput? body, OutboxedSessionFactory sessions, IMessageBus bus, BookingMail mail,
        WebhookQueue webhooks, BookingAnswers answers, TimeProvider clock, CancellationToken ct)
    {
        await using var session = sessions.OpenSession(bus);
        if (await ActionLinkLookup.FindAsync(session, token, ct) is not (var found, ActionType.Cancel or ActionType.Manage))
            return Problems.Result(ActionLinkLookup.NotFound());

        var stream = await session.Events.FetchForExclusiveWriting<Booking>(found.Id, ct);
        var booking = stream.Aggregate!;
        var now = clock.GetUtcNow();
        if (CancelBooking.Check(booking, Instant.FromDateTimeOffset(now)) is { } refusal)
            return Problems.Result(ActionLinkLookup.Gone(refusal, booking));

        var events = CancelBooking.Decide(booking, CancelBookingInput.Given(body), Instant.FromDateTimeOffset(now));
        return await Cancellation.ApplyAsync(session, stream, booking, events, bus, mail, webhooks, answers, now, ct);
    }
}

/// <summary>What a cancellation sets off, whoever asked for it: in the events' transaction, the webhooks, calendar
/// writebacks and emails (to the invitee and every host), then the answer.</summary>
public static class Cancellation
{
    public static async Task<IResult> ApplyAsync(
        IDocumentSession session, IEventStream<Booking> stream, Booking booking, BookingCanceled[] events, IMessageBus bus, BookingMail mail,
        WebhookQueue webhooks, BookingAnswers answers, DateTimeOffset now, CancellationToken ct)
    {
        var (emails, hooks, writebacks) = (0, 0, 0);
        if (events.Length > 0)
        {
            stream.AppendMany(events);
            hooks = await webhooks.QueueAsync(session, bus, booking.OrganizerId, WebhookEvents.Canceled, Guid.CreateVersion7(),
                BookingPayloads.Of(booking, new
                {
                    reason = events[0].Reason, canceledAt = events[0].CanceledAt, canceledBy = events[0].CanceledByUserId is null ? "invitee" : "host",
                }), now, ct);
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

        return Results.Json(new BookingCanceledAnswer(true, new(booking.Id, BookingStatus.Canceled), new(emails), new(hooks), new(writebacks)));
    }
}

/// <summary>
/// The organizer (or a member the booking is assigned to) cancels it from the console, with the same effects as the
/// invitee's cancel: the invitee is emailed with the reason, webhooks and calendars follow, the history names the host.
/// </summary>
public static class HostCancelBookingEndpoint
{
    public static ProblemDetails Validate(CancelBookingInput? body) => CancelBookingEndpoint.Validate(body);

    [Authorize]
    [ProducesResponseType<BookingCanceledAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePost("/v0/bookings/{id}/cancel", OperationId = "hostCancelBooking")]
    public static async Task<IResult> Post(
        Guid id, CancelBookingInput? body, ClaimsPrincipal caller, OutboxedSessionFactory sessions, IMessageBus bus, BookingMail mail,
        WebhookQueue webhooks, BookingAnswers answers, TimeProvider clock, CancellationToken ct)
    {
        await using var session = sessions.OpenSession(bus);
        var stream = await session.Events.FetchForExclusiveWriting<Booking>(id, ct);
        if (stream.Aggregate is not { } booking) return Problems.Result(Problems.NotFound("Booking not found."));
        var now = clock.GetUtcNow();
        var host = caller.UserId();
        if (CancelBooking.CheckByHost(booking, host, Instant.FromDateTimeOffset(now)) is { } refusal)
            return Problems.Result(Problems.From(refusal));
        var events = CancelBooking.Decide(booking, CancelBookingInput.Given(body), Instant.FromDateTimeOffset(now), host);
        return await Cancellation.ApplyAsync(session, stream, booking, events, bus, mail, webhooks, answers, now, ct);
    }
}

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
using Wolverine.Marten;
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

    /// <summary>The reason's bounds, for the invitee's cancel and the host's alike.</summary>
    public static ProblemDetails Check(CancelBookingInput? body) => new FieldErrors().Text("reason", body?.Reason, 0, 500, multiline: true).ToProblem();
}

/// <summary>
/// The invitee cancels through the booking's cancel or manage link, as a Wolverine compound handler. Loading locks the
/// booking's stream, so two cancels in a race run one after the other: the second finds it canceled and succeeds without
/// appending or sending anything.
/// </summary>
public static class CancelBookingEndpoint
{
    public static async Task<IEventStream<Booking>?> LoadAsync(string token, IDocumentSession session, CancellationToken ct) =>
        await ActionLinkLookup.FindAsync(session, token, ct) is (var found, ActionType.Cancel or ActionType.Manage)
            ? await session.Events.FetchForExclusiveWriting<Booking>(found.Id, ct)
            : null;

    public static ProblemDetails Validate(CancelBookingInput? body, IEventStream<Booking>? stream, TimeProvider clock)
    {
        if (CancelBookingInput.Check(body) is var invalid && invalid != WolverineContinue.NoProblems) return invalid;
        if (stream?.Aggregate is not { } booking) return ActionLinkLookup.NotFound();
        return CancelBooking.Check(booking, Instant.FromDateTimeOffset(clock.GetUtcNow())) is { } refusal ? ActionLinkLookup.Gone(refusal, booking) : WolverineContinue.NoProblems;
    }

    [ProducesResponseType<BookingCanceledAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Booking)]
    [WolverinePost("/v0/bookings/actions/{token}/cancel", OperationId = "cancelBooking")]
    public static async Task<BookingCanceledAnswer> Post(
        CancelBookingInput? body, IEventStream<Booking> stream, IDocumentSession session, IMessageBus bus, BookingEffects effects, BookingAnswers answers,
        TimeProvider clock, CancellationToken ct)
    {
        var booking = stream.Aggregate!;
        var now = clock.GetUtcNow();
        var events = CancelBooking.Decide(booking, CancelBookingInput.Given(body), Instant.FromDateTimeOffset(now));
        stream.AppendMany(events);
        return await Cancellation.QueueAsync(session, bus, effects, answers, booking, events, now, ct);
    }
}

/// <summary>What a cancellation sets off, whoever asked for it (<see cref="BookingEffects.CanceledAsync"/>), and its answer.</summary>
public static class Cancellation
{
    public static async Task<BookingCanceledAnswer> QueueAsync(
        IDocumentSession session, IMessageBus bus, BookingEffects effects, BookingAnswers answers, Booking booking, BookingCanceled[] events,
        DateTimeOffset now, CancellationToken ct)
    {
        var queued = new EffectCounts();
        if (events is [var canceled])
        {
            var batch = session.CreateBatchQuery();
            var eventType = batch.Load<EventType>(booking.EventTypeId);
            var reads = BookingEffects.Read(batch, booking.OrganizerId, booking.ReservedUserIds);
            await batch.Execute(ct);
            queued = await effects.CanceledAsync(session, bus, reads, booking, canceled, await eventType, now);
            answers.CountOnCommit(session, booking, "canceled");
        }
        return new BookingCanceledAnswer(true, new(booking.Id, BookingStatus.Canceled), new(queued.Emails), new(queued.Webhooks), new(queued.Writebacks));
    }

    /// <summary>
    /// Cancels, as host <paramref name="hostId"/>, those of <paramref name="bookings"/> that are confirmed and not over,
    /// each under its stream's lock and with the usual effects; the ids it canceled.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> AheadAsync(
        IDocumentSession session, IMessageBus bus, BookingEffects effects, BookingAnswers answers, IEnumerable<Booking> bookings, Guid hostId,
        string? apiKeyName, DateTimeOffset now, CancellationToken ct)
    {
        var canceled = new List<Guid>();
        foreach (var booking in bookings.Where(b => b.Status == BookingStatus.Confirmed && b.EndsAt > now))
        {
            var stream = await session.Events.FetchForExclusiveWriting<Booking>(booking.Id, ct);
            if (stream.Aggregate is not { Status: BookingStatus.Confirmed } current) continue;
            var events = CancelBooking.Decide(current, null, Instant.FromDateTimeOffset(now), hostId, apiKeyName);
            stream.AppendMany(events);
            await QueueAsync(session, bus, effects, answers, current, events, now, ct);
            canceled.Add(current.Id);
        }
        return canceled;
    }
}

/// <summary>
/// The organizer (or a member the booking is assigned to) cancels it from the console, with the same effects as the
/// invitee's cancel: the invitee is emailed with the reason, webhooks and calendars follow, the history names the host.
/// </summary>
public static class HostCancelBookingEndpoint
{
    public static ProblemDetails Validate(
        CancelBookingInput? body, [WriteAggregate(Required = false, LoadStyle = Wolverine.Marten.ConcurrencyStyle.Exclusive)] Booking? booking, ClaimsPrincipal caller,
        TimeProvider clock)
    {
        if (CancelBookingInput.Check(body) is var invalid && invalid != WolverineContinue.NoProblems) return invalid;
        if (booking is null) return Problems.NotFound("Booking not found.");
        return CancelBooking.CheckByHost(booking, caller.UserId(), Instant.FromDateTimeOffset(clock.GetUtcNow())) is { } refusal
            ? Problems.From(refusal) : WolverineContinue.NoProblems;
    }

    [Scope(ApiScopes.BookingsWrite)]
    [ProducesResponseType<BookingCanceledAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePost("/v0/bookings/{id}/cancel", OperationId = "hostCancelBooking")]
    public static async Task<(BookingCanceledAnswer, Events)> Post(
        CancelBookingInput? body, [WriteAggregate(Required = false, LoadStyle = Wolverine.Marten.ConcurrencyStyle.Exclusive)] Booking booking, ClaimsPrincipal caller,
        IDocumentSession session, IMessageBus bus, BookingEffects effects, BookingAnswers answers, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var events = CancelBooking.Decide(booking, CancelBookingInput.Given(body), Instant.FromDateTimeOffset(now), caller.UserId(), caller.ApiKey()?.Name);
        return (await Cancellation.QueueAsync(session, bus, effects, answers, booking, events, now, ct), [.. events]);
    }
}

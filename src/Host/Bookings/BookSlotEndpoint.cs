using Microsoft.AspNetCore.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Calendars;
using OpenCalendly.Host.Identity;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;
using OpenCalendly.Scheduling.EventTypes;
using OpenCalendly.Scheduling.Availability;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten.Publishing;

namespace OpenCalendly.Host.Bookings;

public sealed record BookSlotInput(
    string? Username, string? EventSlug, DateTimeOffset? StartsAt, string? Timezone,
    string? InviteeName, string? InviteeEmail, Dictionary<string, string?>? Answers);

/// <summary>What the booking decision reads, in the request's turn and under its locks (for a seated event type, the slot's seats).</summary>
public sealed record BookSlotState(User Organizer, EventType EventType, SlotQuery Slots, BookingEffects.Reads Effects, SeatedSlot? Filling = null);

/// <summary>
/// Books a slot, as a Wolverine compound handler: <see cref="Validate"/> checks the fields, <see cref="LoadAsync"/> waits
/// for the slot's turn, claims the idempotency key and reads what the decision needs under the booking locks, and
/// <see cref="Post"/> decides and queues what the booking sets off; Wolverine's transaction commits the events, the
/// outbox and the stored answer together (<see cref="IdempotentWrites"/> keeps the answer for a retry).
/// </summary>
public static class BookSlotEndpoint
{
    public static ProblemDetails Validate(BookSlotInput body)
    {
        return BookingInputRules.Check(new FieldErrors()
                .Text("username", body.Username, 1, 64, required: true)
                .Text("eventSlug", body.EventSlug, 1, 80, required: true),
            body.StartsAt, body.Timezone, body.InviteeName, body.InviteeEmail, body.Answers).ToProblem();
    }

    public static async Task<(IResult, BookSlotState?)> LoadAsync(
        BookSlotInput body, IdempotentRequest request, IDocumentSession session, PublicPageCache pages, TakenTimeCache takenTime, BookingTurns turns,
        HttpContext http, CancellationToken ct)
    {
        // The public page's copy says whose turn to wait for; what the booking decides on is read afresh in its turn.
        if (await pages.GetAsync(session, body.Username!, body.EventSlug!, ct) is not { } page)
            return (await request.RefuseAsync(Problems.NotFound("Event type not found."), ct), null);

        // Someone queued ahead may have booked this very slot. A reservation holding its first instant means the
        // constraint would refuse this booking at commit, so a request that had to wait asks first, and says so. Refused
        // before its key is claimed, it stores its answer with the key in one statement (a crowd that lost the slot
        // costs one statement each).
        // A seated slot that holds the organizer's time may still have a seat: only the seats, read under the lock, say.
        var start = Instant.FromDateTimeOffset(body.StartsAt!.Value);
        var seated = page.EventType.Seats.IsSeated;
        async Task<bool> Reserved(ITakenTimeSource source) =>
            !seated && (await source.OfAsync(page.Organizer.Id, start, start + Duration.Epsilon, ct)).Reserved.Count > 0;
        var slotTaken = Problems.From(BookingRefusals.SlotTaken());
        var turn = await turns.TakeUnlessAsync(page.EventType, [page.Organizer.Id], () => Reserved(takenTime), ct);
        if (turn is null) return (await request.RefuseAsync(slotTaken, ct), null);
        turn.HandOnAfterCommit(session, http);
        if (await request.ClaimAsync(ct) is { } answered) return (answered, null);

        var batch = session.CreateBatchQuery();
        var eventTypeRead = batch.Load<EventType>(page.EventType.Id);
        var scheduleRead = batch.Load<Schedule>(page.Organizer.Id);
        var effects = BookingEffects.Read(batch, page.Organizer.Id, [page.Organizer.Id]);
        await batch.Execute(ct);
        if ((await effects.HoldersAsync()) is not [var organizer] || organizer.Username != body.Username
            || await eventTypeRead is not { IsActive: true } eventType || eventType.Slug != body.EventSlug || eventType.Scope != EventType.PersonalScope(organizer.Id))
            return (await request.RefuseAsync(Problems.NotFound("Event type not found."), ct), null);

        // From here on the request holds one connection, its transaction's: what it asks, and a refusal's answer, go there.
        await session.BeginTransactionAsync(ct);
        var connection = session.Connection!;
        if (!await Reservations.LockAsync(connection, eventType, [organizer.Id], ct, giveUp: () => Reserved(new TakenTimeIn(connection))))
            return (await request.RefuseAsync(session, slotTaken, ct), null);
        var duration = Duration.FromMinutes(eventType.DurationMinutes);
        var taken = await Reservations.OfAsync(connection, organizer.Id, start - SlotInputs.Reach, start + duration + SlotInputs.Reach, ct);
        var counted = await SlotInputs.CountedAsync(session, eventType, SlotInputs.ZoneOf(organizer), start, start + duration, ct);
        var slots = SlotInputs.For(organizer, eventType, await scheduleRead, taken, start, start + duration, Instant.FromDateTimeOffset(request.Now), counted);
        var filling = eventType.Seats.IsSeated ? await SeatReads.AtAsync(connection, eventType.Id, start, ct) : null;
        return (WolverineContinue.Result(), new BookSlotState(organizer, eventType, slots, effects, filling));
    }

    [Idempotent]
    [ProducesResponseType<BookingConfirmedAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Booking)]
    [WolverinePost("/v0/bookings", OperationId = "createBooking")]
    public static async Task<IResult> Post(
        BookSlotInput body, BookSlotState state, IdempotentRequest request, IDocumentSession session, IMessageBus bus, BookingEffects effects,
        BookingAnswers answers, HttpContext http, CancellationToken ct)
    {
        var tokens = new ActionTokens();
        var booked = BookingInputRules.Request(body.StartsAt!.Value, body.InviteeName!, body.InviteeEmail!, body.Timezone ?? state.Organizer.Timezone, body.Answers);
        var (id, now) = (Guid.CreateVersion7(), Instant.FromDateTimeOffset(request.Now));
        var (confirmed, refusal) = state.EventType.Seats.IsSeated
            ? BookSeat.Decide(id, state.EventType, state.Slots, state.Filling, booked, tokens.Hashes, now)
            : BookSlot.Decide(id, state.EventType, state.Slots, booked, tokens.Hashes, now);
        if (refusal is not null) return await request.RefuseAsync(session, Problems.From(refusal), ct);

        session.Events.StartStream<Booking>(confirmed!.BookingId, confirmed);
        var booking = Booking.From(confirmed);
        var queued = await effects.ConfirmedAsync(session, bus, state.Effects, http.Request, booking, state.EventType, tokens, request.Now);
        answers.CountOnCommit(session, booking, "confirmed");
        return request.Succeed(session, answers.Confirmed(http, confirmed, tokens, queued), confirmed.BookingId);
    }
}

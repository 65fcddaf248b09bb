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
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten.Publishing;

namespace OpenCalendly.Host.Bookings;

public sealed record BookSlotInput(
    string? Username, string? EventSlug, DateTimeOffset? StartsAt, string? Timezone,
    string? InviteeName, string? InviteeEmail, Dictionary<string, string?>? Answers);

/// <summary>
/// Books a slot. Runs its own transaction rather than Wolverine's middleware because three outcomes must
/// each store the idempotent answer: the booking (with its events), a refusal found by the re-check, and a
/// refusal by the database's exclusion constraint, which rolls the first transaction back.
/// </summary>
public static class BookSlotEndpoint
{
    private const string Scope = "POST /v0/bookings";

    public static ProblemDetails Validate(BookSlotInput body)
    {
        return BookingInputRules.Check(new FieldErrors()
                .Text("username", body.Username, 1, 64, required: true)
                .Text("eventSlug", body.EventSlug, 1, 80, required: true),
            body.StartsAt, body.Timezone, body.InviteeName, body.InviteeEmail, body.Answers).ToProblem();
    }

    [Idempotent]
    [ProducesResponseType<BookingConfirmedAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Booking)]
    [WolverinePost("/v0/bookings", OperationId = "createBooking")]
    public static async Task<IResult> Post(
        BookSlotInput body, HttpContext http, OutboxedSessionFactory sessions, IMessageBus bus, PublicPageCache pages, BookingAnswers answers,
        BookingMail mail, WebhookQueue webhooks, TakenTimeCache takenTime, BookingTurns turns, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await answers.OnceAsync(http, Scope, bus, now, async answering =>
        {
            // The key is claimed once this request's turn has come: refused before that, it stores its answer with the
            // key in one statement (a crowd that lost the slot costs one statement each). Enlisted in Wolverine's
            // outbox, the session commits the emails with the booking, and they go out after it.
            await using var session = sessions.OpenSession(bus);
            // The public page's copy says whose turn to wait for; what the booking decides on is read afresh in its turn.
            if (await pages.GetAsync(session, body.Username!, body.EventSlug!, ct) is not { } page)
                return await answering.RefuseAsync(Problems.NotFound("Event type not found."), ct);

            // Someone queued ahead may have booked this very slot. A reservation holding its first instant means the
            // constraint would refuse this booking at commit, so a request that had to wait asks first, and says so.
            var start = Instant.FromDateTimeOffset(body.StartsAt!.Value);
            async Task<bool> Reserved(ITakenTimeSource source) =>
                (await source.OfAsync(page.Organizer.Id, start, start + Duration.Epsilon, ct)).Reserved.Count > 0;
            var slotTaken = Problems.From(BookingRefusals.SlotTaken());
            using var turn = await turns.TakeUnlessAsync(page.EventType, [page.Organizer.Id], () => Reserved(takenTime), ct);
            if (turn is null) return await answering.RefuseAsync(slotTaken, ct);
            if (await answering.ClaimAsync(ct) is { } answered) return answered;

            var batch = session.CreateBatchQuery();
            var organizerRead = batch.Load<User>(page.Organizer.Id);
            var eventTypeRead = batch.Load<EventType>(page.EventType.Id);
            var scheduleRead = batch.Load<Schedule>(page.Organizer.Id);
            var subscriptionsRead = WebhookQueue.Subscriptions(batch, page.Organizer.Id);
            var calendarsRead = WritebackQueue.Connections(batch, [page.Organizer.Id]);
            await batch.Execute(ct);
            if (await organizerRead is not { } organizer || organizer.Username != body.Username
                || await eventTypeRead is not { IsActive: true } eventType || eventType.Slug != body.EventSlug || eventType.Scope != EventType.PersonalScope(organizer.Id))
                return await answering.RefuseAsync(Problems.NotFound("Event type not found."), ct);

            // From here on the request holds one connection, its transaction's: what it asks, and a refusal's answer, go there.
            await session.BeginTransactionAsync(ct);
            var connection = session.Connection!;
            if (!await Reservations.LockAsync(connection, eventType, [organizer.Id], ct, giveUp: () => Reserved(new TakenTimeIn(connection))))
                return await answering.RefuseAsync(session, slotTaken, ct);
            var duration = Duration.FromMinutes(eventType.DurationMinutes);
            var taken = await Reservations.OfAsync(connection, organizer.Id, start - SlotInputs.Reach, start + duration + SlotInputs.Reach, ct);
            var counted = await SlotInputs.CountedAsync(session, eventType, SlotInputs.ZoneOf(organizer), start, start + duration, ct);
            var slots = SlotInputs.For(organizer, eventType, await scheduleRead, taken, start, start + duration, Instant.FromDateTimeOffset(now), counted);

            var tokens = new ActionTokens();
            var request = new BookingRequest(start, body.InviteeName!.Trim(), body.InviteeEmail!.Trim(),
                body.Timezone ?? organizer.Timezone, BookingInputRules.Answers(body.Answers));
            var decision = BookSlot.Decide(Guid.CreateVersion7(), eventType, slots, request, tokens.Hashes, Instant.FromDateTimeOffset(now));
            if (decision.Refusal is { } refusal)
                return await answering.RefuseAsync(session, Problems.From(refusal), ct);

            var confirmed = decision.Value!;
            session.Events.StartStream<Booking>(confirmed.BookingId, confirmed);
            var booking = Booking.From(confirmed);
            var emails = mail.Confirmed(http.Request, booking, eventType, [organizer], tokens, now);
            foreach (var email in emails) await bus.PublishAsync(email);
            var hooks = await webhooks.QueueAsync(session, bus, await subscriptionsRead, organizer.Id, WebhookEvents.Created, Guid.CreateVersion7(),
                BookingPayloads.Of(booking), now);
            var writebacks = await WritebackQueue.QueueAsync(session, bus, booking.Id, await calendarsRead, WritebackOperation.Create, now);
            var reminders = await Reminders.ScheduleAsync(bus, booking, eventType, now);
            var result = answering.Succeed(session, answers.Confirmed(http, confirmed, tokens, emails.Length, hooks, writebacks, reminders));
            await session.SaveChangesAsync(ct);
            answers.Committed(booking, "confirmed");
            return result;
        }, ct);
    }
}

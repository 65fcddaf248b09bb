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

    public static ProblemDetails Validate(BookSlotInput body, HttpRequest request)
    {
        var header = Idempotency.ValidateHeader(request);
        if (header.Status is not null) return header;
        return BookingInputRules.Check(new FieldErrors()
                .Text("username", body.Username, 1, 64, required: true)
                .Text("eventSlug", body.EventSlug, 1, 80, required: true),
            body.StartsAt, body.Timezone, body.InviteeName, body.InviteeEmail, body.Answers).ToProblem();
    }

    [WolverinePost("/v0/bookings", OperationId = "createBooking")]
    public static async Task<IResult> Post(
        BookSlotInput body, HttpContext http, OutboxedSessionFactory sessions, IMessageBus bus,
        BookingAnswers answers, BookingMail mail, WebhookQueue webhooks, TakenTimeCache takenTime, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await answers.OnceAsync(http, Scope, bus, now, async record =>
        {
            // Enlisted in Wolverine's outbox: the emails commit with the booking and go out after it.
            await using var session = sessions.OpenSession(bus);
            if (await PublicEventTypes.FindAsync(session, body.Username!, body.EventSlug!, ct) is not (var organizer, var eventType))
                return await answers.RefuseAsync(session, record, Problems.NotFound("Event type not found."), ct);

            var start = Instant.FromDateTimeOffset(body.StartsAt!.Value);
            var duration = Duration.FromMinutes(eventType.DurationMinutes);
            // A reservation overlapping the bare slot means the constraint would refuse this booking at commit: say so
            // now, before queueing for the organizer's lock, and again while queued (the winner's commit shows at once).
            async Task<bool> Reserved() => (await takenTime.OfAsync(organizer.Id, start, start + duration, ct)).Reserved.Count > 0;
            var slotTaken = Problems.From(BookingRefusals.SlotTaken());
            if (await Reserved()) return await answers.RefuseAsync(session, record, slotTaken, ct);

            await session.BeginTransactionAsync(ct);
            var connection = session.Connection!;
            if (!await Reservations.LockAsync(connection, eventType, [organizer.Id], ct, giveUp: Reserved))
                return await answers.RefuseAsync(session, record, slotTaken, ct);
            var schedule = await session.LoadAsync<Schedule>(organizer.Id, ct);
            var taken = await Reservations.OfAsync(connection, organizer.Id, start - SlotInputs.Reach, start + duration + SlotInputs.Reach, ct);
            var counted = await SlotInputs.CountedAsync(session, eventType, SlotInputs.ZoneOf(organizer), start, start + duration, ct);
            var slots = SlotInputs.For(organizer, eventType, schedule, taken, start, start + duration, Instant.FromDateTimeOffset(now), counted);

            var tokens = new ActionTokens();
            var request = new BookingRequest(start, body.InviteeName!.Trim(), body.InviteeEmail!.Trim(),
                body.Timezone ?? organizer.Timezone, BookingInputRules.Answers(body.Answers));
            var decision = BookSlot.Decide(Guid.CreateVersion7(), eventType, slots, request, tokens.Hashes, Instant.FromDateTimeOffset(now));
            if (decision.Refusal is { } refusal)
                return await answers.RefuseAsync(session, record, Problems.From(refusal), ct);

            var confirmed = decision.Confirmed!;
            session.Events.StartStream<Booking>(confirmed.BookingId, confirmed);
            var booking = Booking.From(confirmed);
            var emails = mail.Confirmed(http.Request, booking, eventType, [organizer], tokens, now);
            foreach (var email in emails) await bus.PublishAsync(email);
            var hooks = await webhooks.QueueAsync(session, bus, organizer.Id, WebhookEvents.Created, Guid.CreateVersion7(), BookingPayloads.Of(booking), now, ct);
            var writebacks = await WritebackQueue.QueueAsync(session, bus, booking.Id, [organizer.Id], WritebackOperation.Create, now, ct);
            var reminders = await Reminders.ScheduleAsync(bus, booking, eventType, now);
            var result = answers.Succeed(session, record, answers.Confirmed(http, confirmed, tokens, emails.Length, hooks, writebacks, reminders));
            await session.SaveChangesAsync(ct);
            answers.Committed(booking, "confirmed");
            return result;
        }, ct);
    }
}

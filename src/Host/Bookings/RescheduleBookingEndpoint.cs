using Microsoft.AspNetCore.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Calendars;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Identity;
using OpenCalendly.Host.Teams;
using OpenCalendly.Projections.Teams;
using OpenCalendly.Scheduling.Teams;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Scheduling;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten.Publishing;

namespace OpenCalendly.Host.Bookings;

public sealed record RescheduleBookingInput(DateTimeOffset? StartsAt, string? Timezone);

/// <summary>
/// Moves a booking: the old stream gets <see cref="BookingRescheduled"/> and a new stream starts, in one
/// transaction with the reservation swap, so the old time frees exactly when the new one is held. A refusal
/// leaves the original booking confirmed and its links valid.
/// </summary>
public static class RescheduleBookingEndpoint
{
    public static ProblemDetails Validate(RescheduleBookingInput body)
    {
        return new FieldErrors()
            .Require("startsAt", body.StartsAt)
            .When(body.StartsAt is { Year: < 2000 or >= 2200 }, "startsAt", "startsAt must lie between 2000 and 2200.")
            .Zone("timezone", body.Timezone)
            .ToProblem();
    }

    [Idempotent]
    [ProducesResponseType<BookingRescheduledAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Booking)]
    [WolverinePost("/v0/bookings/actions/{token}/reschedule", OperationId = "rescheduleBooking")]
    public static async Task<IResult> Post(
        string token, RescheduleBookingInput body, HttpContext http, OutboxedSessionFactory sessions, IMessageBus bus,
        BookingAnswers answers, BookingMail mail, WebhookQueue webhooks, BookingTurns turns, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await answers.OnceAsync(http, $"POST /v0/bookings/actions/{Tokens.Hash(token)}/reschedule", bus, now, async answering =>
        {
            if (await answering.ClaimAsync(ct) is { } answered) return answered;
            await using var session = sessions.OpenSession(bus);
            if (await ActionLinkLookup.FindAsync(session, token, ct) is not (var found, (ActionType.Reschedule or ActionType.Manage) and var linkType))
                return await answering.RefuseAsync(ActionLinkLookup.NotFound(), ct);

            // Everything the lock set depends on is read first; then one sorted lock covers the booking's
            // people and, for a team booking, the whole pool the new slot may go to.
            var eventType = await session.LoadAsync<EventType>(found.EventTypeId, ct);
            var team = found.TeamId is { } teamId ? await session.LoadAsync<Team>(teamId, ct) : null;
            if (eventType is null || found.TeamId is not null && team is null)
                return await answering.RefuseAsync(Problems.NotFound("Event type not found."), ct);
            var pool = team is null ? [] : TeamSlotInputs.Pool(team, eventType);

            using var turn = await turns.TakeAsync(eventType, found.ReservedUserIds.Concat(pool), ct);
            await session.BeginTransactionAsync(ct);
            var connection = session.Connection!;
            await Reservations.LockAsync(connection, eventType, found.ReservedUserIds.Concat(pool), ct);
            var stream = await session.Events.FetchForWriting<Booking>(found.Id, ct);
            var old = stream.Aggregate!;

            var start = Instant.FromDateTimeOffset(body.StartsAt!.Value);
            var end = start + Duration.FromMinutes(eventType.DurationMinutes);
            var instant = Instant.FromDateTimeOffset(now);
            // Moved through its manage link, the booking keeps that link: the one in the first email goes on working.
            var tokens = new ActionTokens(manage: linkType == ActionType.Manage ? token : null);
            var newId = Guid.CreateVersion7();
            Func<BookingRequest, Decision<BookingConfirmed>> confirm;
            IReadOnlyList<Guid> hosts;
            if (team is not null)
            {
                // A team booking is assigned afresh for the new time, among members free then.
                var slot = (await TeamSlotInputs.ComputeAsync(session, new TakenTimeIn(connection, old.Id), team, eventType, start, end, instant, ct, ignoring: old.Id))
                    .FirstOrDefault(s => s.Start == start);
                var tallies = (await session.LoadAsync<TeamAssignments>(eventType.Id, ct))?.Members ?? [];
                var assignees = BookTeamSlot.Assign(eventType, slot, pool.Count, tallies);
                hosts = assignees?.Select(a => a.MemberId).ToList() ?? [];
                confirm = request => assignees is null ? BookingRefusals.SlotTaken() : BookTeamSlot.Decide(newId, eventType, assignees, request, tokens.Hashes, instant);
            }
            else
            {
                var organizer = await session.LoadAsync<User>(old.OrganizerId, ct);
                if (organizer is null) return await answering.RefuseAsync(session, Problems.NotFound("Event type not found."), ct);
                var schedule = await session.LoadAsync<Schedule>(organizer.Id, ct);
                var taken = await Reservations.OfAsync(connection, organizer.Id, start - SlotInputs.Reach, end + SlotInputs.Reach, ct, ignoring: old.Id);
                var counted = await SlotInputs.CountedAsync(session, eventType, SlotInputs.ZoneOf(organizer), start, end, ct, ignoring: old.Id);
                var slots = SlotInputs.For(organizer, eventType, schedule, taken, start, end, instant, counted);
                hosts = [organizer.Id];
                confirm = request => BookSlot.Confirm(newId, eventType, slots, request, tokens.Hashes, instant);
            }

            var (outcome, refusal) = RescheduleBooking.Decide(old, eventType, confirm, start, body.Timezone, newId, instant);
            if (refusal is not null)
                return await answering.RefuseAsync(session,
                    refusal.Kind == RefusalKind.Gone ? ActionLinkLookup.Gone(refusal, old) : Problems.From(refusal), ct);

            // The old stream's event first: its reservation must be released before the new one is inserted.
            stream.AppendOne(outcome!.Old);
            session.Events.StartStream<Booking>(outcome.Confirmed.BookingId, outcome.Confirmed, outcome.From);

            var moved = Booking.From(outcome.Confirmed);
            moved.When(outcome.From);
            var hostUsers = await BookingMail.HostsAsync(session, hosts, ct);
            var emails = hostUsers.Count == 0 ? [] : mail.Rescheduled(http.Request, moved, eventType, hostUsers, tokens, now);
            foreach (var email in emails) await bus.PublishAsync(email);
            var hooks = 0;
            foreach (var subscriber in hosts.Prepend(old.OrganizerId).Distinct())
                hooks += await webhooks.QueueAsync(session, bus, subscriber, WebhookEvents.Rescheduled, Guid.CreateVersion7(),
                    BookingPayloads.Of(moved, new { rescheduledFromBookingId = old.Id, previousStartsAt = old.StartsAt, previousEndsAt = old.EndsAt }), now, ct);

            // The new booking takes the chain's provider event along; calendars of people no longer holding it lose it.
            var writebacks = await WritebackQueue.QueueAsync(session, bus, moved.Id, hosts, WritebackOperation.Update, now, ct)
                + await WritebackQueue.QueueAsync(session, bus, old.Id, [.. old.ReservedUserIds.Except(hosts)], WritebackOperation.Cancel, now, ct);
            // The old booking's reminders find it rescheduled and stand down; the new one gets its own.
            var reminders = await Reminders.ScheduleAsync(bus, moved, eventType, now);
            var result = answering.Succeed(session, answers.Render(new BookingRescheduledAnswer(
                true,
                new(old.Id, BookingStatus.Rescheduled),
                new(moved.Id, BookingStatus.Confirmed, old.Id, moved.StartsAt, moved.EndsAt),
                answers.Actions(http, tokens, moved.ActionTokensExpireAt),
                new(emails.Length), new(hooks), new(writebacks), new(reminders))));
            await session.SaveChangesAsync(ct);
            answers.Committed(moved, "rescheduled");
            return result;
        }, ct);
    }
}

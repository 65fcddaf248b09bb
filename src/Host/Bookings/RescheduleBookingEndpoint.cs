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
using OpenCalendly.Scheduling.Availability;
using JasperFx.Events;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten.Publishing;

namespace OpenCalendly.Host.Bookings;

public sealed record RescheduleBookingInput(DateTimeOffset? StartsAt, string? Timezone);

/// <summary>
/// What moving a booking decides on, read in the request's turn and under the locks of everyone the booking may go to:
/// the old booking's stream, and either the organizer's slots at the new time or, for a team booking, the members
/// assigned afresh among those free then (none when nobody is).
/// </summary>
public sealed record RescheduleState(
    IEventStream<Booking> Stream, EventType EventType, ActionType LinkType, SlotQuery? Slots, IReadOnlyList<MemberSlot>? Assignees,
    SeatedSlot? Filling = null, IReadOnlyList<Guid>? Pool = null, DateTimeZone? OwnerZone = null);

/// <summary>
/// Moves a booking, as a Wolverine compound handler: the old stream gets <see cref="BookingRescheduled"/> and a new
/// stream starts, in one transaction with the reservation swap, so the old time frees exactly when the new one is held.
/// A refusal leaves the original booking confirmed and its links valid.
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

    public static async Task<(IResult, RescheduleState?)> LoadAsync(
        string token, RescheduleBookingInput body, IdempotentRequest request, IDocumentSession session, BookingTurns turns, HttpContext http,
        CancellationToken ct)
    {
        if (await request.ClaimAsync(ct) is { } answered) return (answered, null);
        if (await ActionLinkLookup.FindAsync(session, token, ct) is not (var found, (ActionType.Reschedule or ActionType.Manage) and var linkType))
            return (await request.RefuseAsync(ActionLinkLookup.NotFound(), ct), null);

        // Everything the lock set depends on is read first; then one sorted lock covers the booking's
        // people and, for a team booking, the whole pool the new slot may go to.
        var batch = session.CreateBatchQuery();
        var eventTypeRead = batch.Load<EventType>(found.EventTypeId);
        var teamRead = found.TeamId is { } teamId ? batch.Load<Team>(teamId) : Task.FromResult<Team?>(null);
        await batch.Execute(ct);
        var (eventType, team) = (await eventTypeRead, await teamRead);
        if (eventType is null || found.TeamId is not null && team is null)
            return (await request.RefuseAsync(Problems.NotFound("Event type not found."), ct), null);
        var pool = team is null ? [] : TeamSlotInputs.Pool(team, eventType);

        (await turns.TakeAsync(eventType, found.ReservedUserIds.Concat(pool), ct)).HandOnAfterCommit(session, http);
        await session.BeginTransactionAsync(ct);
        var connection = session.Connection!;
        await Reservations.LockAsync(connection, eventType, found.ReservedUserIds.Concat(pool), ct);
        var stream = await session.Events.FetchForWriting<Booking>(found.Id, ct);
        var old = stream.Aggregate!;

        var start = Instant.FromDateTimeOffset(body.StartsAt!.Value);
        var end = start + Duration.FromMinutes(eventType.DurationMinutes);
        var now = Instant.FromDateTimeOffset(request.Now);
        var releasing = await ReleasingAsync(connection, old, ct);
        var filling = eventType.Seats.IsSeated ? await SeatReads.AtAsync(connection, eventType.Id, start, ct) : null;
        if (team is not null)
        {
            // A team booking is assigned afresh for the new time, among members free then (a seat joins a filling slot's pool instead).
            var slot = filling is not null ? null
                : (await TeamSlotInputs.ComputeAsync(session, new TakenTimeIn(connection, releasing), team, eventType, start, end, now, ct, ignoring: old.Id))
                    .FirstOrDefault(s => s.Start == start);
            var tallies = (await session.LoadAsync<TeamAssignments>(eventType.Id, ct))?.Members ?? [];
            return (WolverineContinue.Result(), new RescheduleState(stream, eventType, linkType, null,
                BookTeamSlot.Assign(eventType, slot, pool.Count, tallies, old.ReservedUserIds), filling, pool,
                eventType.Seats.IsSeated ? await TeamSlotInputs.OwnerZoneAsync(session, eventType, ct) : null));
        }

        var organizer = await session.LoadAsync<User>(old.OrganizerId, ct);
        if (organizer is null) return (await request.RefuseAsync(session, Problems.NotFound("Event type not found."), ct), null);
        var schedule = await session.LoadAsync<Schedule>(organizer.Id, ct);
        var taken = await Reservations.OfAsync(connection, organizer.Id, start - SlotInputs.Reach, end + SlotInputs.Reach, ct, releasing);
        var counted = await SlotInputs.CountedAsync(session, eventType, SlotInputs.ZoneOf(organizer), start, end, ct, ignoring: old.Id);
        return (WolverineContinue.Result(), new RescheduleState(stream, eventType, linkType,
            SlotInputs.For(organizer, eventType, schedule, taken, start, end, now, counted), null, filling));
    }

    /// <summary>
    /// The reservation the move gives up: the booking's own, or for a seat its slot's, which the slot's last seat frees and any
    /// other seat leaves held.
    /// </summary>
    private static async Task<Guid> ReleasingAsync(Npgsql.NpgsqlConnection connection, Booking old, CancellationToken ct) =>
        old.Seat is { } seat && await SeatReads.AtAsync(connection, old.EventTypeId, Instant.FromDateTimeOffset(old.StartsAt), ct) is { Taken.Count: 1 }
            ? seat.SlotId : old.Id;

    [Idempotent]
    [ProducesResponseType<BookingRescheduledAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Booking)]
    [WolverinePost("/v0/bookings/actions/{token}/reschedule", OperationId = "rescheduleBooking")]
    public static async Task<IResult> Post(
        string token, RescheduleBookingInput body, RescheduleState state, IdempotentRequest request, IDocumentSession session, IMessageBus bus,
        BookingEffects effects, BookingAnswers answers, HttpContext http, CancellationToken ct)
    {
        var (stream, eventType) = (state.Stream, state.EventType);
        var old = stream.Aggregate!;
        var now = Instant.FromDateTimeOffset(request.Now);
        // Moved through its manage link, the booking keeps that link: the one in the first email goes on working.
        var tokens = new ActionTokens(manage: state.LinkType == ActionType.Manage ? token : null);
        var newId = Guid.CreateVersion7();
        Func<BookingRequest, Decision<BookingConfirmed>> confirm = state.Slots is { } slots
            ? eventType.Seats.IsSeated
                ? moved => BookSeat.Confirm(newId, eventType, slots, state.Filling, moved, tokens.Hashes, now)
                : moved => BookSlot.Confirm(newId, eventType, slots, moved, tokens.Hashes, now)
            : eventType.Seats.IsSeated
                ? moved => BookTeamSeat.Confirm(newId, eventType, state.OwnerZone!, state.Pool!, state.Assignees, state.Filling, moved, tokens.Hashes, now)
                : moved => state.Assignees is { } assignees ? BookTeamSlot.Decide(newId, eventType, assignees, moved, tokens.Hashes, now) : BookingRefusals.SlotTaken();

        var (outcome, refusal) = RescheduleBooking.Decide(old, eventType, confirm, Instant.FromDateTimeOffset(body.StartsAt!.Value), body.Timezone, newId, now);
        if (refusal is not null)
            return await request.RefuseAsync(session, refusal.Kind == RefusalKind.Gone ? ActionLinkLookup.Gone(refusal, old) : Problems.From(refusal), ct);

        // The old stream's event first: its reservation must be released before the new one is inserted.
        stream.AppendOne(outcome!.Old);
        session.Events.StartStream<Booking>(outcome.Confirmed.BookingId, outcome.Confirmed, outcome.From);
        var moved = Booking.From(outcome.Confirmed);
        moved.When(outcome.From);

        var batch = session.CreateBatchQuery();
        var reads = BookingEffects.Read(batch, old.OrganizerId, moved.ReservedUserIds, old.ReservedUserIds);
        await batch.Execute(ct);
        var queued = await effects.RescheduledAsync(session, bus, reads, http.Request, old, moved, eventType, tokens, request.Now);
        answers.CountOnCommit(session, moved, "rescheduled");
        return request.Succeed(session, new BookingRescheduledAnswer(
            true,
            new(old.Id, BookingStatus.Rescheduled),
            new(moved.Id, BookingStatus.Confirmed, old.Id, moved.StartsAt, moved.EndsAt, moved.TeamId is null ? null : moved.ReservedUserIds,
                SeatJson.Of(moved.Seat, moved.StartsAt)),
            answers.Actions(http, tokens, moved.ActionTokensExpireAt),
            new(queued.Emails), new(queued.Webhooks), new(queued.Writebacks), new(queued.Reminders)), moved.Id);
    }
}

using Microsoft.AspNetCore.RateLimiting;
using Marten;
using OpenCalendly.Host.Calendars;
using OpenCalendly.Scheduling.Calendars;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Npgsql;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Bookings;
using OpenCalendly.Host.Identity;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Projections.Teams;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using OpenCalendly.Scheduling.Teams;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace OpenCalendly.Host.Teams;

public sealed record TeamBookingInput(
    string? TeamSlug, string? EventSlug, DateTimeOffset? StartsAt, string? Timezone,
    string? InviteeName, string? InviteeEmail, Dictionary<string, string?>? Answers);

/// <summary>What the first look found: the team, its event type, the request, the pool, and the slot as offered then.</summary>
public sealed record TeamBookingState(Team Team, EventType EventType, BookingRequest Request, IReadOnlyList<Guid> Pool, TeamSlot Offered);

/// <summary>
/// Books a team slot, as a Wolverine compound handler. <see cref="LoadAsync"/> takes a first look (the cached taken time
/// will do) and claims the key; <see cref="Post"/> tries the members: round robin tries the free ones in
/// round-robin order, so a member lost to a racing booking passes the slot to the next (at most
/// <see cref="BookTeamSlot.MaxCandidates"/>); collective locks and reserves every required member at once
/// (<see cref="BookTeamSlot.Attempts"/>).
/// </summary>
public static class BookTeamSlotEndpoint
{
    public static ProblemDetails Validate(TeamBookingInput body)
    {
        return BookingInputRules.Check(new FieldErrors()
                .Text("teamSlug", body.TeamSlug, 1, 80, required: true)
                .Text("eventSlug", body.EventSlug, 1, 80, required: true),
            body.StartsAt, body.Timezone, body.InviteeName, body.InviteeEmail, body.Answers).ToProblem();
    }

    /// <summary>
    /// Refused on the first look, a request stores its answer with the key in one statement (a retry whose slot its first
    /// attempt took still replays that answer); the key is claimed before the attempts.
    /// </summary>
    public static async Task<(IResult, TeamBookingState?)> LoadAsync(
        TeamBookingInput body, IdempotentRequest request, IQuerySession lookup, TakenTimeCache takenTime, CancellationToken ct)
    {
        if (await TeamSlotInputs.FindAsync(lookup, body.TeamSlug!, body.EventSlug!, ct) is not (var team, var eventType))
            return (await request.RefuseAsync(Problems.NotFound("Event type not found."), ct), null);

        var booking = BookingInputRules.Request(body.StartsAt!.Value, body.InviteeName!, body.InviteeEmail!, body.Timezone ?? "UTC", body.Answers);
        if (BookSlot.CheckRequest(eventType, booking) is { } refusal) return (await request.RefuseAsync(Problems.From(refusal), ct), null);

        var start = booking.StartsAt;
        var end = start + Duration.FromMinutes(eventType.DurationMinutes);
        // A first look: each attempt looks again under its locks.
        var offered = (await TeamSlotInputs.ComputeAsync(lookup, takenTime, team, eventType, start, end, Instant.FromDateTimeOffset(request.Now), ct))
            .FirstOrDefault(s => s.Start == start);
        // A seated slot that has started filling holds the pool's time yet may have a seat: only the seats, read under the locks, say.
        if (offered is null && eventType.Seats.IsSeated) offered = new TeamSlot(start, end, []);
        if (offered is null) return (await request.RefuseAsync(Problems.SlotTaken(), ct), null);

        if (await request.ClaimAsync(ct) is { } answered) return (answered, null);
        return (WolverineContinue.Result(), new TeamBookingState(team, eventType, booking, TeamSlotInputs.Pool(team, eventType), offered));
    }

    /// <summary>
    /// Each attempt is its own transaction (its own outbox session), because a member lost to the exclusion constraint
    /// rolls that transaction back and the next member is tried in a fresh one — a loop of commits that Wolverine's one
    /// transaction per request cannot express. Each attempt chooses whom to try under the event type's lock, from the
    /// assignment tally as committed (bookings racing at other slots would otherwise all read the same tally and pile
    /// onto one member). (<paramref name="body"/> names the request body for Wolverine; LoadAsync read it.)
    /// </summary>
    [Idempotent]
    [ProducesResponseType<BookingConfirmedAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Booking)]
    [WolverinePost("/v0/team-bookings", OperationId = "createTeamBooking")]
    public static async Task<IResult> Post(
        TeamBookingInput body, TeamBookingState state, IdempotentRequest request, OutboxedSessionFactory sessions, IMessageBus bus, BookingTurns turns,
        BookingEffects effects, BookingAnswers answers, HttpContext http, CancellationToken ct)
    {
        var (team, eventType, booked) = (state.Team, state.EventType, state.Request);
        var start = booked.StartsAt;
        var end = start + Duration.FromMinutes(eventType.DurationMinutes);
        var now = Instant.FromDateTimeOffset(request.Now);
        HashSet<Guid> tried = [];
        for (var attempt = 0; attempt < BookTeamSlot.MaxCandidates; attempt++)
        {
            // This node's queue for the event type; the people chosen below are queued for by the database's locks alone.
            using var turn = await turns.TakeAsync(eventType, [], ct);
            await using var session = sessions.OpenSession(bus);
            await session.BeginTransactionAsync(ct);
            await Reservations.LockAsync(session.Connection!, eventType, [], ct);
            var tallies = (await session.LoadAsync<TeamAssignments>(eventType.Id, ct))?.Members ?? [];
            if (BookTeamSlot.Attempts(eventType, state.Pool, state.Offered, tallies).FirstOrDefault(a => !a.Any(tried.Contains)) is not { } assignees) break;
            tried.UnionWith(assignees);
            await Reservations.LockAsync(session.Connection!, eventType, assignees, ct);   // the event type's key again: advisory locks nest
            var batch = session.CreateBatchQuery();
            var reads = BookingEffects.Read(batch, eventType.OrganizerId, assignees);
            await batch.Execute(ct);
            // A seated collective slot that has started filling is joined (its seats say whether it can be); any other must be free.
            var filling = eventType.Seats.IsSeated ? await SeatReads.AtAsync(session.Connection!, eventType.Id, start, ct) : null;
            var slot = filling is not null ? null
                : (await TeamSlotInputs.ComputeAsync(session, new TakenTimeIn(session.Connection!), team, eventType, start, end, now, ct, assignees))
                    .FirstOrDefault(s => s.Start == start && s.Members.Count == assignees.Count);

            var (tokens, id) = (new ActionTokens(), Guid.CreateVersion7());
            var (confirmed, _) = eventType.Seats.IsSeated
                ? BookTeamSeat.Confirm(id, eventType, await TeamSlotInputs.OwnerZoneAsync(session, eventType, ct), assignees, slot?.Members, filling, booked, tokens.Hashes, now)
                : slot is null ? BookingRefusals.SlotTaken() : BookTeamSlot.Decide(id, eventType, slot.Members, booked, tokens.Hashes, now);
            if (confirmed is null) continue;   // taken since the first look: the next member may still be free
            session.Events.StartStream<Booking>(confirmed.BookingId, confirmed);
            var booking = Booking.From(confirmed);
            var queued = await effects.ConfirmedAsync(session, bus, reads, http.Request, booking, eventType, tokens, request.Now);
            answers.CountOnCommit(session, booking, "confirmed");
            var result = request.Succeed(session, answers.Confirmed(http, confirmed, tokens, queued), confirmed.BookingId);
            try
            {
                await session.SaveChangesAsync(ct);
                return result;
            }
            catch (Exception e) when (DatabaseConflicts.IsSlotConflict(e))
            {
                // This attempt's messages go with its rolled-back transaction; the next attempt queues its own.
                await ((MessageContext)bus).ClearAllAsync();
            }
        }
        return await request.RefuseAsync(Problems.SlotTaken(), ct);
    }
}

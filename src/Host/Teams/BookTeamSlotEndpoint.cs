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

/// <summary>
/// Books a team slot. Round robin tries the free members in <see cref="RoundRobin"/> order, each in its own
/// locked transaction, so a member lost to a racing booking passes the slot to the next (at most
/// <see cref="MaxCandidates"/>); collective locks and reserves every required member at once.
/// </summary>
public static class BookTeamSlotEndpoint
{
    private const string Scope = "POST /v0/team-bookings";
    public const int MaxCandidates = 3;

    public static ProblemDetails Validate(TeamBookingInput body)
    {
        return BookingInputRules.Check(new FieldErrors()
                .Text("teamSlug", body.TeamSlug, 1, 80, required: true)
                .Text("eventSlug", body.EventSlug, 1, 80, required: true),
            body.StartsAt, body.Timezone, body.InviteeName, body.InviteeEmail, body.Answers).ToProblem();
    }

    [Idempotent]
    [ProducesResponseType<BookingConfirmedAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Booking)]
    [WolverinePost("/v0/team-bookings", OperationId = "createTeamBooking")]
    public static async Task<IResult> Post(
        TeamBookingInput body, HttpContext http, IDocumentStore store, TakenTimeCache takenTime, OutboxedSessionFactory sessions,
        IMessageBus bus, BookingAnswers answers, BookingMail mail, WebhookQueue webhooks, BookingTurns turns, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await answers.OnceAsync(http, Scope, bus, now, async answering =>
        {
            // Refused on the first look, a request stores its answer with the key in one statement (a retry whose
            // slot its first attempt took still replays that answer); the key is claimed before the attempts.
            await using var lookup = store.QuerySession();
            if (await TeamSlotInputs.FindAsync(lookup, body.TeamSlug!, body.EventSlug!, ct) is not (var team, var eventType))
                return await RefuseAsync(Problems.NotFound("Event type not found."));

            var request = new BookingRequest(Instant.FromDateTimeOffset(body.StartsAt!.Value), body.InviteeName!.Trim(), body.InviteeEmail!.Trim(),
                body.Timezone ?? "UTC", BookingInputRules.Answers(body.Answers));
            if (BookSlot.CheckRequest(eventType, request) is { } refusal) return await RefuseAsync(Problems.From(refusal));

            var start = request.StartsAt;
            var end = start + Duration.FromMinutes(eventType.DurationMinutes);
            var instant = Instant.FromDateTimeOffset(now);
            // A first look (the cached taken time will do): the transaction below looks again under the locks.
            var offered = (await TeamSlotInputs.ComputeAsync(lookup, takenTime, team, eventType, start, end, instant, ct)).FirstOrDefault(s => s.Start == start);
            if (offered is null) return await RefuseAsync(Problems.SlotTaken());

            if (await answering.ClaimAsync(ct) is { } answered) return answered;
            var tallies = (await lookup.LoadAsync<TeamAssignments>(eventType.Id, ct))?.Members ?? [];
            IEnumerable<IReadOnlyList<Guid>> attempts = eventType.Mode == TeamMode.Collective
                ? [TeamSlotInputs.Pool(team, eventType)]
                : RoundRobin.Order(offered.Members.Select(m => m.MemberId), tallies).Take(MaxCandidates).Select(id => (IReadOnlyList<Guid>)[id]);

            foreach (var assignees in attempts)
            {
                using var turn = await turns.TakeAsync(eventType, assignees, ct);
                await using var session = sessions.OpenSession(bus);
                await session.BeginTransactionAsync(ct);
                await Reservations.LockAsync(session.Connection!, eventType, assignees, ct);
                var slot = (await TeamSlotInputs.ComputeAsync(session, new TakenTimeIn(session.Connection!), team, eventType, start, end, instant, ct, assignees))
                    .FirstOrDefault(s => s.Start == start && s.Members.Count == assignees.Count);
                if (slot is null) continue;   // taken since the first look: the next member may still be free

                var tokens = new ActionTokens();
                var confirmed = BookTeamSlot.Decide(Guid.CreateVersion7(), eventType, slot.Members, request, tokens.Hashes, instant);
                session.Events.StartStream<Booking>(confirmed.BookingId, confirmed);
                var booking = Booking.From(confirmed);
                var hosts = await BookingMail.HostsAsync(session, assignees, ct);
                var emails = hosts.Count == 0 ? [] : mail.Confirmed(http.Request, booking, eventType, hosts, tokens, now);
                foreach (var email in emails) await bus.PublishAsync(email);
                var hooks = 0;
                foreach (var subscriber in assignees.Prepend(eventType.OrganizerId).Distinct())
                    hooks += await webhooks.QueueAsync(session, bus, subscriber, WebhookEvents.Created, Guid.CreateVersion7(), BookingPayloads.Of(booking), now, ct);

                var writebacks = await WritebackQueue.QueueAsync(session, bus, booking.Id, assignees, WritebackOperation.Create, now, ct);
                var reminders = await Reminders.ScheduleAsync(bus, booking, eventType, now);
                var result = answering.Succeed(session, answers.Confirmed(http, confirmed, tokens, emails.Length, hooks, writebacks, reminders));
                try
                {
                    await session.SaveChangesAsync(ct);
                    answers.Committed(booking, "confirmed");
                    return result;
                }
                catch (Exception e) when (DatabaseConflicts.IsSlotConflict(e))
                {
                    await ((MessageContext)bus).ClearAllAsync();
                }
            }
            return await RefuseAsync(Problems.SlotTaken());

            Task<IResult> RefuseAsync(ProblemDetails problem) => answering.RefuseAsync(problem, ct);
        }, ct);
    }
}

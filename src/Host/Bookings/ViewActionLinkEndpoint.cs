using Microsoft.AspNetCore.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;

namespace OpenCalendly.Host.Bookings;

public static class ViewActionLinkEndpoint
{
    [ProducesResponseType<ActionLinkAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(410, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Booking)]
    [WolverineGet("/v0/bookings/actions/{token}", OperationId = "viewActionLink")]
    public static async Task<IResult> Get(string token, IQuerySession db, TimeProvider clock, CancellationToken ct)
    {
        if (await ActionLinkLookup.FindAsync(db, token, ct) is not (var booking, var type))
            return Problems.Result(ActionLinkLookup.NotFound());
        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        if (ActionLinks.CheckView(booking, type, now) is { } refusal)
            return Problems.Result(ActionLinkLookup.Gone(refusal, booking));

        var eventType = await db.LoadAsync<EventType>(booking.EventTypeId, ct);
        var organizer = await db.LoadAsync<User>(booking.OrganizerId, ct);
        var team = booking.TeamId is { } teamId ? await db.LoadAsync<OpenCalendly.Host.Teams.Team>(teamId, ct) : null;
        var seated = await SeatReads.SeatedAsync(db, booking, ct);
        return Results.Json(new ActionLinkAnswer(true, type,
            new(booking.Id, booking.Status, booking.StartsAt, booking.EndsAt, booking.InviteeTimezone, booking.InviteeName, booking.InviteeEmail,
                booking.Answers,
                booking.RescheduledToBookingId is { } toId ? new(toId, booking.RescheduledToStartsAt, booking.RescheduledToEndsAt) : null,
                booking.RescheduledFromBookingId,
                // A team booking is rescheduled against the team's availability: the reference's page reads teamSlug and mode here.
                booking.TeamId is { } bookedTeam ? new(bookedTeam, team?.Slug, booking.EventTypeId, booking.TeamMode, booking.ReservedUserIds) : null,
                booking.Seat is { } seat ? new(seat.Number, seat.SeatsPerSlot, seated.Count,
                    eventType?.Seats.ShowAttendees == true ? [.. seated.Where(b => b.Id != booking.Id).Select(b => b.InviteeName)] : null) : null),
            eventType is null ? null : new(eventType.Slug, eventType.Name, eventType.DurationMinutes),
            organizer is null ? null : new(organizer.Username, organizer.DisplayName, organizer.Timezone),
            team is null ? null : new(team.Slug, team.Name),
            // What this token allows: a cancel link cannot reschedule, a reschedule link cannot cancel; the manage link does both.
            new(ActionLinks.CanCancel(booking, type, now), ActionLinks.CanReschedule(booking, type, now))));
    }
}

using Marten;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;

namespace OpenCalendly.Host.Bookings;

public static class ViewActionLinkEndpoint
{
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
        return Results.Json(new
        {
            ok = true,
            actionType = type,
            booking = new
            {
                booking.Id, booking.Status, booking.StartsAt, booking.EndsAt, timezone = booking.InviteeTimezone,
                booking.InviteeName, booking.InviteeEmail, booking.Answers,
                rescheduledTo = booking.RescheduledToBookingId is { } toId
                    ? new { id = toId, startsAt = booking.RescheduledToStartsAt, endsAt = booking.RescheduledToEndsAt } : null,
                booking.RescheduledFromBookingId,
                // A team booking is rescheduled against the team's availability: the reference's page reads teamSlug and mode here.
                team = booking.TeamId is { } bookedTeam ? new
                {
                    teamId = bookedTeam, teamSlug = team?.Slug, teamEventTypeId = booking.EventTypeId, mode = booking.TeamMode,
                    assignmentUserIds = booking.ReservedUserIds,
                } : null,
            },
            eventType = eventType is null ? null : new { eventType.Slug, eventType.Name, eventType.DurationMinutes },
            organizer = organizer is null ? null : new { organizer.Username, organizer.DisplayName, organizer.Timezone },
            team = team is null ? null : new { team.Slug, team.Name },
            // What this token allows: a cancel link cannot reschedule, a reschedule link cannot cancel; the manage link does both.
            actions = new
            {
                canCancel = ActionLinks.CanCancel(booking, type, now),
                canReschedule = ActionLinks.CanReschedule(booking, type, now),
            },
        });
    }
}

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
        if (ActionLinks.CheckView(booking, now) is { } refusal)
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
                booking.InviteeName, booking.InviteeEmail, rescheduledTo = (object?)null, booking.RescheduledFromBookingId,
            },
            eventType = eventType is null ? null : new { eventType.Slug, eventType.Name, eventType.DurationMinutes },
            organizer = organizer is null ? null : new { organizer.Username, organizer.DisplayName, organizer.Timezone },
            team = team is null ? null : new { team.Slug, team.Name },
            actions = new { canCancel = ActionLinks.CanCancel(booking, now), canReschedule = ActionLinks.CanReschedule(booking, now) },
        });
    }
}

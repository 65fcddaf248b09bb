using Marten;
using OpenCalendly.Host.Api;
using Wolverine.Http;

namespace OpenCalendly.Host.Bookings;

public static class PublicEventTypeEndpoint
{
    [WolverineGet("/v0/users/{username}/event-types/{slug}", OperationId = "publicEventType")]
    public static async Task<IResult> Get(string username, string slug, IQuerySession db, CancellationToken ct)
    {
        if (await PublicEventTypes.FindAsync(db, username, slug, ct) is not (var organizer, var eventType))
            return Problems.Result(Problems.NotFound("Event type not found."));
        return Results.Json(new
        {
            ok = true,
            eventType = new
            {
                eventType.Name, eventType.Slug, eventType.DurationMinutes, eventType.LocationType, eventType.LocationValue, eventType.Questions,
            },
            organizer = new { organizer.Username, organizer.DisplayName, organizer.Timezone },
        });
    }
}

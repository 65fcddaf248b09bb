using Microsoft.AspNetCore.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using Wolverine.Http;

namespace OpenCalendly.Host.Bookings;

public static class PublicEventTypeEndpoint
{
    [ProducesResponseType<PublicEventTypeAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [EnableRateLimiting(RateLimits.PublicPage)]
    [WolverineGet("/v0/users/{username}/event-types/{slug}", OperationId = "publicEventType")]
    public static async Task<IResult> Get(string username, string slug, IQuerySession db, CancellationToken ct)
    {
        if (await PublicEventTypes.FindAsync(db, username, slug, ct) is not (var organizer, var eventType))
            return Problems.Result(Problems.NotFound("Event type not found."));
        return Results.Json(new PublicEventTypeAnswer(true,
            new(eventType.Name, eventType.Slug, eventType.DurationMinutes, eventType.LocationType, eventType.LocationValue, eventType.Questions),
            new(organizer.Username, organizer.DisplayName, organizer.Timezone)));
    }
}

using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;

namespace OpenCalendly.Host.EventTypes;

public static class ListEventTypesEndpoint
{
    [Scope(ApiScopes.EventTypesRead)]
    [ProducesResponseType<EventTypesAnswer>(200)]
    [WolverineGet("/v0/event-types", OperationId = "listEventTypes")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db)
    {
        var organizerId = caller.UserId();
        var scope = EventType.PersonalScope(organizerId);
        var eventTypes = await db.Query<EventType>().Where(e => e.Scope == scope).OrderBy(e => e.CreatedAt).ToListAsync();
        return Results.Json(new EventTypesAnswer(true, [.. eventTypes.Select(EventTypeJson.Of)]));
    }
}

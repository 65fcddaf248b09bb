using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;
using Wolverine.Marten;

namespace OpenCalendly.Host.EventTypes;

public static class CreateEventTypeEndpoint
{
    public static ProblemDetails Validate(EventTypeInput body) => body.Check(creating: true).ToProblem();

    [Scope(ApiScopes.EventTypesWrite)]
    [ProducesResponseType<EventTypeAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePost("/v0/event-types", OperationId = "createEventType")]
    public static async Task<(IResult, IMartenOp)> Post(EventTypeInput body, ClaimsPrincipal caller, IQuerySession db, PublicPageCache pages, TimeProvider clock)
    {
        var organizerId = caller.UserId();
        pages.Forget(organizerId);
        // A friendly answer first; the unique index decides a race.
        var scope = EventType.PersonalScope(organizerId);
        if (await db.Query<EventType>().AnyAsync(e => e.Scope == scope && e.Slug == body.Slug))
            return (Problems.Result(Problems.Create(409, "duplicate-slug", "You already have an event type with that slug.")), MartenOps.Nothing());

        var created = new EventTypeCreated(Guid.CreateVersion7(), organizerId,
            new EventTypeDetails(body.Name!, body.Slug!, body.DurationMinutes!.Value, body.LocationType!.Value,
                NullIfEmpty(body.LocationValue), body.QuestionList() ?? [],
                body.Controls?.Over(BookingControls.Default) ?? BookingControls.Default, ReminderInput.From(body.Reminders) ?? [],
                body.SeatsOver(SeatSettings.OneOnOne) ?? SeatSettings.OneOnOne),
            clock.GetUtcNow());
        var eventType = EventType.From(created);
        return (Results.Json(new EventTypeAnswer(true, EventTypeJson.Of(eventType))),
            MartenOps.StartStream<EventType>(created.EventTypeId, created));
    }

    public static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

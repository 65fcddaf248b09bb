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

public static class UpdateEventTypeEndpoint
{
    public static ProblemDetails Validate(EventTypeInput body)
    {
        if (body is { Name: null, Slug: null, DurationMinutes: null, LocationType: null, LocationValue: null, Questions: null, IsActive: null,
                Controls: null, Reminders: null, SeatsPerSlot: null, ShowAttendees: null })
            return Problems.Create(400, "empty-update", "Send at least one field to update.");
        return body.Check(creating: false).ToProblem();
    }

    [Scope(ApiScopes.EventTypesWrite)]
    [ProducesResponseType<EventTypeAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePatch("/v0/event-types/{id}", OperationId = "updateEventType")]
    public static async Task<(IResult, Events)> Patch(
        EventTypeInput body, [WriteAggregate(Required = false)] EventType? eventType, ClaimsPrincipal caller, IQuerySession db,
        PublicPageCache pages, TimeProvider clock)
    {
        pages.Forget(caller.UserId());
        // Another organizer's id answers exactly like a missing one.
        if (eventType is null || eventType.OrganizerId != caller.UserId())
            return (Problems.Result(Problems.NotFound("Event type not found.")), []);
        if (eventType.TeamId is not null && (body.SeatsPerSlot is > 1 || body.ShowAttendees is true))
            return (Problems.Result(Problems.Invalid("seatsPerSlot", "A team event type's seats change with PATCH /v0/team-event-types/:id.")), []);
        var scope = eventType.Scope;
        if (body.Slug is not null && body.Slug != eventType.Slug
            && await db.Query<EventType>().AnyAsync(e => e.Scope == scope && e.Slug == body.Slug))
            return (Problems.Result(Problems.Create(409, "duplicate-slug", "You already have an event type with that slug.")), []);

        var change = new EventTypeChange(body.Name, body.Slug, body.DurationMinutes, body.LocationType,
            CreateEventTypeEndpoint.NullIfEmpty(body.LocationValue), body.LocationValue == "", body.QuestionList(), body.IsActive,
            body.Controls?.Over(eventType.Controls), ReminderInput.From(body.Reminders), Seats: body.SeatsOver(eventType.Seats));
        var events = ReviseEventType.Decide(eventType, change, clock.GetUtcNow());

        eventType.Evolve(events);
        return (Results.Json(new EventTypeAnswer(true, EventTypeJson.Of(eventType))), [.. events]);
    }
}

using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.EventTypes;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;
using Wolverine.Marten;

namespace OpenCalendly.Host.Teams;

public sealed record TeamEventTypeInput(
    Guid? TeamId, string? Name, string? Slug, int? DurationMinutes, TeamMode? Mode, LocationType? LocationType,
    string? LocationValue, IReadOnlyList<QuestionInput?>? Questions, IReadOnlyList<Guid>? RequiredMemberUserIds,
    ControlsInput? Controls = null, IReadOnlyList<ReminderInput?>? Reminders = null)
{
    public EventTypeInput Details => new(Name, Slug, DurationMinutes, LocationType, LocationValue, Questions, null, Controls, Reminders);
}

/// <summary>The event type inside a team event type, as the reference web app reads it.</summary>
public sealed record TeamEventTypeDetailsJson(
    Guid Id, string Slug, string Name, int DurationMinutes, LocationType LocationType, string? LocationValue, IReadOnlyList<Question> Questions, bool IsActive);

/// <summary>A member a team event type draws on: required ones, or the whole (accepted) team.</summary>
public sealed record TeamEventTypeMemberJson(Guid UserId, bool IsRequired, string Role, TeamUserJson User);

public sealed record TeamUserJson(Guid Id, string Email, string Username, string DisplayName, string Timezone)
{
    public static TeamUserJson Of(User u) => new(u.Id, u.Email, u.Username, u.DisplayName, u.Timezone);
}

/// <summary>Flat fields for this server's console, nested <c>eventType</c> and <c>members</c> for the reference web app.</summary>
public sealed record TeamEventTypeJson(
    Guid Id, Guid TeamId, string Slug, string Name, int DurationMinutes, TeamMode Mode, LocationType LocationType, string? LocationValue,
    IReadOnlyList<Question> Questions, IReadOnlyList<Guid> RequiredMemberUserIds, bool IsActive, DateTimeOffset CreatedAt,
    ControlsJson Controls, IReadOnlyList<ReminderJson> Reminders, TeamEventTypeDetailsJson EventType, IReadOnlyList<TeamEventTypeMemberJson> Members)
{
    public static TeamEventTypeJson Of(EventType e, Team? team = null, IReadOnlyDictionary<Guid, User>? users = null) => new(
        e.Id, e.TeamId!.Value, e.Slug, e.Name, e.DurationMinutes, e.Mode!.Value,
        e.LocationType, e.LocationValue, e.Questions, e.RequiredMemberIds, e.IsActive, e.CreatedAt,
        ControlsJson.Of(e.Controls), ReminderJson.Of(e.Reminders),
        new TeamEventTypeDetailsJson(e.Id, e.Slug, e.Name, e.DurationMinutes, e.LocationType, e.LocationValue, e.Questions, e.IsActive),
        team is null || users is null ? [] : [.. TeamSlotInputs.Pool(team, e).Where(users.ContainsKey).Select(id => new TeamEventTypeMemberJson(
            id, e.RequiredMemberIds.Contains(id), team.Members.First(m => m.UserId == id).Role, TeamUserJson.Of(users[id])))]);
}

public static class CreateTeamEventTypeEndpoint
{
    public static ProblemDetails Validate(TeamEventTypeInput body) => body.Details.Check(creating: true)
        .Require("teamId", body.TeamId).Require("mode", body.Mode)
        .When(body.RequiredMemberUserIds?.Count > 100, "requiredMemberUserIds", "At most 100 required members.")
        .ToProblem();

    [Authorize]
    [ProducesResponseType<TeamEventTypeAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePost("/v0/team-event-types", OperationId = "createTeamEventType")]
    public static async Task<(IResult, IMartenOp)> Post(TeamEventTypeInput body, ClaimsPrincipal caller, IQuerySession db, TimeProvider clock, CancellationToken ct)
    {
        if (await Teams.OwnedAsync(db, body.TeamId!.Value, caller.UserId(), ct) is not { } team)
            return (Problems.Result(Problems.NotFound("Team not found.")), MartenOps.Nothing());
        var required = body.RequiredMemberUserIds?.Distinct().ToList() ?? [];
        if (required.Where(id => !team.IsActiveMember(id)).Cast<Guid?>().FirstOrDefault() is { } outsider)
            return (Problems.Result(Problems.Invalid("requiredMemberUserIds", $"User {outsider} is not a member of the team (invited members count once they accept).")), MartenOps.Nothing());
        var scope = EventType.TeamScope(team.Id);
        if (await db.Query<EventType>().AnyAsync(e => e.Scope == scope && e.Slug == body.Slug, ct))
            return (Problems.Result(Problems.Create(409, "duplicate-slug", "The team already has an event type with that slug.")), MartenOps.Nothing());

        var details = body.Details;
        var created = new TeamEventTypeCreated(Guid.CreateVersion7(), team.OwnerId, new TeamSettings(team.Id, body.Mode!.Value, required),
            new EventTypeDetails(details.Name!, details.Slug!, details.DurationMinutes!.Value, details.LocationType!.Value,
                CreateEventTypeEndpoint.NullIfEmpty(details.LocationValue), details.QuestionList() ?? [],
                details.Controls?.Over(BookingControls.Default) ?? BookingControls.Default, ReminderInput.From(details.Reminders) ?? []),
            clock.GetUtcNow());
        var eventType = EventType.From(created);
        var users = (await db.LoadManyAsync<User>(ct, TeamSlotInputs.Pool(team, eventType).ToArray())).ToDictionary(u => u.Id);
        return (Results.Json(new TeamEventTypeAnswer(true, TeamEventTypeJson.Of(eventType, team, users))),
            MartenOps.StartStream<EventType>(created.EventTypeId, created));
    }
}

public static class ListTeamEventTypesEndpoint
{
    [Authorize]
    [ProducesResponseType<TeamEventTypesAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverineGet("/v0/teams/{teamId}/event-types", OperationId = "listTeamEventTypes")]
    public static async Task<IResult> Get(Guid teamId, ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        if (await Teams.OwnedAsync(db, teamId, caller.UserId(), ct) is not { } team)
            return Problems.Result(Problems.NotFound("Team not found."));
        var eventTypes = await db.Query<EventType>().Where(e => e.TeamId == team.Id).OrderBy(e => e.CreatedAt).ToListAsync(ct);
        var users = (await db.LoadManyAsync<User>(ct, team.Members.Select(m => m.UserId).ToArray())).ToDictionary(u => u.Id);
        return Results.Json(new TeamEventTypesAnswer(true, [.. eventTypes.Select(e => TeamEventTypeJson.Of(e, team, users))]));
    }
}

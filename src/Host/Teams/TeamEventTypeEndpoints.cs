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
    ControlsInput? Controls = null, IReadOnlyList<ReminderInput?>? Reminders = null, RoundRobinInput? RoundRobin = null,
    int? SeatsPerSlot = null, bool? ShowAttendees = null)
{
    public EventTypeInput Details => new(Name, Slug, DurationMinutes, LocationType, LocationValue, Questions, null, Controls, Reminders, SeatsPerSlot, ShowAttendees);
}

/// <summary>One member's weight (0–1000, default 100; 0 = never assigned) and priority (0–4, default 2; higher first).</summary>
public sealed record MemberWeightingInput(Guid? UserId, int? Weight, int? Priority);

/// <summary>How round robin picks: <c>strategy</c> fair (default) or available; <c>members</c> replaces the whole list (members left out weigh the defaults).</summary>
public sealed record RoundRobinInput(RoundRobinStrategy? Strategy, IReadOnlyList<MemberWeightingInput?>? Members)
{
    public const int MaxMembers = 100;

    public static FieldErrors Check(FieldErrors errors, RoundRobinInput? input, TeamMode? mode)
    {
        if (input is null) return errors;
        if (mode == TeamMode.Collective) return errors.Add("roundRobin", "Only a round-robin event type has round-robin settings: a collective one books every member.");
        if (input.Members is not { } members) return errors;
        if (members.Count > MaxMembers) return errors.Add("roundRobin.members", $"At most {MaxMembers} members.");
        var seen = new HashSet<Guid>();
        for (var i = 0; i < members.Count; i++)
        {
            var field = $"roundRobin.members[{i}]";
            if (members[i] is not { } m) { errors.Add(field, $"{field} must be an object."); continue; }
            errors.Require($"{field}.userId", m.UserId)
                .Number($"{field}.weight", m.Weight, 0, RoundRobinSettings.MaxWeight)
                .Number($"{field}.priority", m.Priority, 0, RoundRobinSettings.MaxPriority);
            if (m.UserId is { } id && !seen.Add(id)) errors.Add($"{field}.userId", $"User {id} is listed twice.");
        }
        return errors;
    }

    /// <summary>
    /// The settings this input makes of <paramref name="current"/>. Only weightings that differ from the defaults are kept, in id
    /// order, so the same settings are always stored alike and a no-op change appends nothing.
    /// </summary>
    public RoundRobinSettings Over(RoundRobinSettings current) => new(
        Strategy ?? current.Strategy,
        Members is null ? current.Members : [.. Members.OfType<MemberWeightingInput>()
            .Select(m => new MemberWeighting(m.UserId!.Value, m.Weight ?? RoundRobinSettings.DefaultWeight, m.Priority ?? RoundRobinSettings.DefaultPriority))
            .Where(m => m.Weight != RoundRobinSettings.DefaultWeight || m.Priority != RoundRobinSettings.DefaultPriority)
            .OrderBy(m => m.UserId)]);

    public IEnumerable<Guid> UserIds => Members?.OfType<MemberWeightingInput>().Select(m => m.UserId!.Value) ?? [];
}

/// <summary>
/// A round-robin event type's strategy and the weight and priority (the defaults where none was set) of everyone it may draw on:
/// its required members, or else every member of the team, invited ones included.
/// </summary>
public sealed record RoundRobinJson(RoundRobinStrategy Strategy, IReadOnlyList<MemberWeighting> Members)
{
    public static RoundRobinJson? Of(EventType e, Team? team) => e.Mode != TeamMode.RoundRobin ? null : new(
        e.EffectiveRoundRobin.Strategy,
        team is null ? e.EffectiveRoundRobin.Members
        : [.. (e.RequiredMemberIds.Count > 0 ? e.RequiredMemberIds : team.Members.Select(m => m.UserId)).Select(e.EffectiveRoundRobin.For)]);
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
    ControlsJson Controls, IReadOnlyList<ReminderJson> Reminders, TeamEventTypeDetailsJson EventType, IReadOnlyList<TeamEventTypeMemberJson> Members,
    RoundRobinJson? RoundRobin, int SeatsPerSlot, bool ShowAttendees)
{
    public static TeamEventTypeJson Of(EventType e, Team? team = null, IReadOnlyDictionary<Guid, User>? users = null) => new(
        e.Id, e.TeamId!.Value, e.Slug, e.Name, e.DurationMinutes, e.Mode!.Value,
        e.LocationType, e.LocationValue, e.Questions, e.RequiredMemberIds, e.IsActive, e.CreatedAt,
        ControlsJson.Of(e.Controls), ReminderJson.Of(e.Reminders),
        new TeamEventTypeDetailsJson(e.Id, e.Slug, e.Name, e.DurationMinutes, e.LocationType, e.LocationValue, e.Questions, e.IsActive),
        team is null || users is null ? [] : [.. TeamSlotInputs.Pool(team, e).Where(users.ContainsKey).Select(id => new TeamEventTypeMemberJson(
            id, e.RequiredMemberIds.Contains(id), team.Members.First(m => m.UserId == id).Role, TeamUserJson.Of(users[id])))],
        RoundRobinJson.Of(e, team), e.Seats.PerSlot, e.Seats.ShowAttendees);
}

public static class CreateTeamEventTypeEndpoint
{
    public static ProblemDetails Validate(TeamEventTypeInput body) => RoundRobinInput.Check(body.Details.Check(creating: true)
        .Require("teamId", body.TeamId).Require("mode", body.Mode)
        .When(body.RequiredMemberUserIds?.Count > 100, "requiredMemberUserIds", "At most 100 required members.")
        .When(TeamEventTypeRules.SeatsNeedCollective(body.Mode, body.SeatsPerSlot, body.ShowAttendees), "seatsPerSlot", TeamEventTypeRules.SeatsAreCollective),
        body.RoundRobin, body.Mode)
        .ToProblem();

    [Scope(ApiScopes.EventTypesWrite)]
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
        if (TeamEventTypeRules.Outsider(team, required, body.RoundRobin) is { } outsider)
            return (Problems.Result(outsider), MartenOps.Nothing());
        var scope = EventType.TeamScope(team.Id);
        if (await db.Query<EventType>().AnyAsync(e => e.Scope == scope && e.Slug == body.Slug, ct))
            return (Problems.Result(Problems.Create(409, "duplicate-slug", "The team already has an event type with that slug.")), MartenOps.Nothing());

        var details = body.Details;
        var roundRobin = body.Mode == TeamMode.RoundRobin ? body.RoundRobin?.Over(RoundRobinSettings.Default) : null;
        var created = new TeamEventTypeCreated(Guid.CreateVersion7(), team.OwnerId, new TeamSettings(team.Id, body.Mode!.Value, required, roundRobin),
            new EventTypeDetails(details.Name!, details.Slug!, details.DurationMinutes!.Value, details.LocationType!.Value,
                CreateEventTypeEndpoint.NullIfEmpty(details.LocationValue), details.QuestionList() ?? [],
                details.Controls?.Over(BookingControls.Default) ?? BookingControls.Default, ReminderInput.From(details.Reminders) ?? [],
                details.SeatsOver(SeatSettings.OneOnOne) ?? SeatSettings.OneOnOne),
            clock.GetUtcNow());
        var eventType = EventType.From(created);
        var users = (await db.LoadManyAsync<User>(ct, TeamSlotInputs.Pool(team, eventType).ToArray())).ToDictionary(u => u.Id);
        return (Results.Json(new TeamEventTypeAnswer(true, TeamEventTypeJson.Of(eventType, team, users))),
            MartenOps.StartStream<EventType>(created.EventTypeId, created));
    }
}

public static class ListTeamEventTypesEndpoint
{
    [Scope(ApiScopes.EventTypesRead)]
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

public static class TeamEventTypeRules
{
    public const string SeatsAreCollective = "Seats are for collective team event types (every seat meets the whole pool); round robin gives each invitee one member.";

    /// <summary>Whether seats are asked of a mode that cannot have them: round robin assigns each booking its own member.</summary>
    public static bool SeatsNeedCollective(TeamMode? mode, int? seatsPerSlot, bool? showAttendees) =>
        mode == TeamMode.RoundRobin && (seatsPerSlot is > 1 || showAttendees is true);

    /// <summary>
    /// Why a required member or a weighted one is refused, or null: required members must have accepted (an invitation never
    /// publishes anyone's time); weights may be set for any member, invited ones included, ahead of their acceptance.
    /// </summary>
    public static ProblemDetails? Outsider(Team team, IEnumerable<Guid> required, RoundRobinInput? roundRobin) =>
        required.Where(id => !team.IsActiveMember(id)).Cast<Guid?>().FirstOrDefault() is { } notActive
            ? Problems.Invalid("requiredMemberUserIds", $"User {notActive} is not a member of the team (invited members count once they accept).")
        : roundRobin?.UserIds.Where(id => !team.Has(id)).Cast<Guid?>().FirstOrDefault() is { } stranger
            ? Problems.Invalid("roundRobin.members", $"User {stranger} is not a member of the team.")
        : null;
}

/// <summary>The body of a team event type's update: its details, whether it is offered, whom it draws on and how round robin picks.</summary>
public sealed record TeamEventTypeChangeInput(
    string? Name, string? Slug, int? DurationMinutes, LocationType? LocationType, string? LocationValue, IReadOnlyList<QuestionInput?>? Questions,
    bool? IsActive, ControlsInput? Controls, IReadOnlyList<ReminderInput?>? Reminders, IReadOnlyList<Guid>? RequiredMemberUserIds,
    RoundRobinInput? RoundRobin, TeamMode? Mode = null, Guid? TeamId = null, int? SeatsPerSlot = null, bool? ShowAttendees = null)
{
    public EventTypeInput Details => new(Name, Slug, DurationMinutes, LocationType, LocationValue, Questions, IsActive, Controls, Reminders, SeatsPerSlot, ShowAttendees);
}

public static class UpdateTeamEventTypeEndpoint
{
    public static ProblemDetails Validate(TeamEventTypeChangeInput body)
    {
        if (body == new TeamEventTypeChangeInput(null, null, null, null, null, null, null, null, null, null, null))
            return Problems.Create(400, "empty-update", "Send at least one field to update.");
        return body.Details.Check(creating: false)
            .When(body.RequiredMemberUserIds?.Count > 100, "requiredMemberUserIds", "At most 100 required members.")
            .ToProblem();
    }

    /// <summary>
    /// Revises a team event type, for its team's owner. The mode and the team are fixed at creation (a booking's assignees were chosen
    /// by them); sending them unchanged is allowed, so a client may send back what it read.
    /// </summary>
    [Scope(ApiScopes.EventTypesWrite)]
    [ProducesResponseType<TeamEventTypeAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePatch("/v0/team-event-types/{id}", OperationId = "updateTeamEventType")]
    public static async Task<(IResult, Events)> Patch(
        TeamEventTypeChangeInput body, [WriteAggregate(Required = false)] EventType? eventType, ClaimsPrincipal caller, IQuerySession db,
        TimeProvider clock, CancellationToken ct)
    {
        // Another owner's team event type, and a personal one, answer exactly like a missing one.
        if (eventType?.TeamId is not { } teamId || await Teams.OwnedAsync(db, teamId, caller.UserId(), ct) is not { } team)
            return (Problems.Result(Problems.NotFound("Team event type not found.")), []);
        var fixedField = body.Mode is { } mode && mode != eventType.Mode ? "mode" : body.TeamId is { } other && other != teamId ? "teamId" : null;
        if (fixedField is not null)
            return (Problems.Result(Problems.Invalid(fixedField, $"A team event type's {fixedField} is fixed when it is created: create another event type instead.")), []);
        if (RoundRobinInput.Check(new FieldErrors()
                .When(TeamEventTypeRules.SeatsNeedCollective(eventType.Mode, body.SeatsPerSlot, body.ShowAttendees), "seatsPerSlot", TeamEventTypeRules.SeatsAreCollective),
                body.RoundRobin, eventType.Mode) is { Any: true } invalid)
            return (Problems.Result(invalid.ToProblem()), []);
        var required = body.RequiredMemberUserIds?.Distinct().ToList();
        if (TeamEventTypeRules.Outsider(team, required ?? [], body.RoundRobin) is { } outsider)
            return (Problems.Result(outsider), []);
        var scope = eventType.Scope;
        if (body.Slug is not null && body.Slug != eventType.Slug
            && await db.Query<EventType>().AnyAsync(e => e.Scope == scope && e.Slug == body.Slug, ct))
            return (Problems.Result(Problems.Create(409, "duplicate-slug", "The team already has an event type with that slug.")), []);

        var details = body.Details;
        var change = new EventTypeChange(details.Name, details.Slug, details.DurationMinutes, details.LocationType,
            CreateEventTypeEndpoint.NullIfEmpty(details.LocationValue), details.LocationValue == "", details.QuestionList(), details.IsActive,
            details.Controls?.Over(eventType.Controls), ReminderInput.From(details.Reminders), required,
            body.RoundRobin?.Over(eventType.EffectiveRoundRobin), details.SeatsOver(eventType.Seats));
        var events = ReviseEventType.Decide(eventType, change, clock.GetUtcNow());

        eventType.Evolve(events);
        var users = (await db.LoadManyAsync<User>(ct, team.Members.Select(m => m.UserId).ToArray())).ToDictionary(u => u.Id);
        return (Results.Json(new TeamEventTypeAnswer(true, TeamEventTypeJson.Of(eventType, team, users))), [.. events]);
    }
}

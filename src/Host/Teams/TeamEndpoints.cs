using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;

namespace OpenCalendly.Host.Teams;

public sealed record CreateTeamInput(string? Name, string? Slug);

public sealed record AddMemberInput(Guid? UserId, string? Role);

public static class ListTeamsEndpoint
{
    [Authorize]
    [WolverineGet("/v0/teams", OperationId = "listTeams")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        var ownerId = caller.UserId();
        var teams = await db.Query<Team>().Where(t => t.OwnerId == ownerId).OrderBy(t => t.CreatedAt).ToListAsync(ct);
        var teamIds = teams.Select(t => (Guid?)t.Id).ToArray();
        // Only the team ids come back, not whole event-type documents.
        var eventTypes = await db.Query<EventType>().Where(e => e.TeamId.In(teamIds)).Select(e => e.TeamId!.Value).ToListAsync(ct);
        return Results.Json(new
        {
            ok = true,
            teams = teams.Select(t => new
            {
                t.Id, t.Name, t.Slug, memberCount = t.Members.Count, teamEventTypeCount = eventTypes.Count(id => id == t.Id), t.CreatedAt,
            }),
        });
    }
}

public static class CreateTeamEndpoint
{
    public static ProblemDetails Validate(CreateTeamInput body) => new FieldErrors()
        .Text("name", body.Name, 1, 120, required: true)
        .Text("slug", body.Slug, 2, 80, required: true)
        .Pattern("slug", body.Slug, FieldErrors.Kebab(), "must be kebab-case: a-z, 0-9 and single hyphens.")
        .ToProblem();

    [Authorize]
    [WolverinePost("/v0/teams", OperationId = "createTeam")]
    public static async Task<IResult> Post(CreateTeamInput body, ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock, CancellationToken ct)
    {
        if (await db.Query<Team>().AnyAsync(t => t.Slug == body.Slug, ct))
            return Problems.Result(Problems.Create(409, "duplicate-slug", "That team slug is already taken."));
        var now = clock.GetUtcNow();
        var ownerId = caller.UserId();
        var team = new Team
        {
            Id = Guid.CreateVersion7(), OwnerId = ownerId, Name = body.Name!, Slug = body.Slug!, CreatedAt = now,
            Members = [new TeamMembership(ownerId, "owner", now)],
        };
        db.Store(team);
        return Results.Json(new { ok = true, team = new { team.Id, team.Name, team.Slug, memberCount = 1, teamEventTypeCount = 0, team.CreatedAt } });
    }
}

public static class ListTeamMembersEndpoint
{
    [Authorize]
    [WolverineGet("/v0/teams/{teamId}/members", OperationId = "listTeamMembers")]
    public static async Task<IResult> Get(Guid teamId, ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        if (await Teams.OwnedAsync(db, teamId, caller.UserId(), ct) is not { } team)
            return Problems.Result(Problems.NotFound("Team not found."));
        var userIds = team.Members.Select(m => m.UserId).ToArray();
        var users = (await db.LoadManyAsync<User>(ct, userIds)).ToDictionary(u => u.Id);
        return Results.Json(new
        {
            ok = true,
            members = team.Members.Where(m => users.ContainsKey(m.UserId)).Select(m => Member(m, users[m.UserId])),
        });
    }

    public static object Member(TeamMembership m, User user) =>
        new { m.UserId, m.Role, user.Username, user.DisplayName, user.Timezone, m.AddedAt };
}

public static class AddTeamMemberEndpoint
{
    public static ProblemDetails Validate(AddMemberInput body) => new FieldErrors()
        .Require("userId", body.UserId)
        .When(body.Role is not null and not ("owner" or "member"), "role", "role must be owner or member.")
        .ToProblem();

    [Authorize]
    [WolverinePost("/v0/teams/{teamId}/members", OperationId = "addTeamMember")]
    public static async Task<IResult> Post(Guid teamId, AddMemberInput body, ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock, CancellationToken ct)
    {
        if (await Teams.OwnedAsync(db, teamId, caller.UserId(), ct) is not { } team)
            return Problems.Result(Problems.NotFound("Team not found."));
        if (await db.LoadAsync<User>(body.UserId!.Value, ct) is not { } user)
            return Problems.Result(Problems.NotFound("User not found."));
        if (team.Has(user.Id))
            return Problems.Result(Problems.Create(409, "already-member", "That user is already a member of the team."));

        var membership = new TeamMembership(user.Id, body.Role ?? "member", clock.GetUtcNow());
        team.Members.Add(membership);
        db.Store(team);
        return Results.Json(new { ok = true, member = ListTeamMembersEndpoint.Member(membership, user) });
    }
}

using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Projections;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;

namespace OpenCalendly.Host.Teams;

public sealed record CreateTeamInput(string? Name, string? Slug);

/// <summary>Whom to invite: exactly one of <c>userId</c>, <c>username</c> or <c>email</c>.</summary>
public sealed record AddMemberInput(Guid? UserId, string? Username, string? Email, string? Role);

public static class ListTeamsEndpoint
{
    [Authorize]
    [ProducesResponseType<TeamsAnswer>(200)]
    [WolverineGet("/v0/teams", OperationId = "listTeams")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        var ownerId = caller.UserId();
        var teams = await db.Query<Team>().Where(t => t.OwnerId == ownerId).OrderBy(t => t.CreatedAt).ToListAsync(ct);
        var teamIds = teams.Select(t => (Guid?)t.Id).ToArray();
        // Only the team ids come back, not whole event-type documents.
        var eventTypes = await db.Query<EventType>().Where(e => e.TeamId.In(teamIds)).Select(e => e.TeamId!.Value).ToListAsync(ct);
        return Results.Json(new TeamsAnswer(true, [.. teams.Select(t => new TeamJson(t.Id, t.OwnerId, t.Name, t.Slug, t.ActiveMembers.Count(),
            t.Members.Count(m => !m.IsActive), eventTypes.Count(id => id == t.Id), t.CreatedAt))]));
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
    [ProducesResponseType<TeamAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
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
            Members = [new TeamMembership(ownerId, "owner", now) { InvitationId = Guid.CreateVersion7(), AcceptedAt = now }],
        };
        db.Store(team);
        return Results.Json(new TeamAnswer(true, new(team.Id, team.OwnerId, team.Name, team.Slug, 1, 0, 0, team.CreatedAt)));
    }
}

public static class ListTeamMembersEndpoint
{
    [Authorize]
    [ProducesResponseType<TeamMembersAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverineGet("/v0/teams/{teamId}/members", OperationId = "listTeamMembers")]
    public static async Task<IResult> Get(Guid teamId, ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        if (await Teams.OwnedAsync(db, teamId, caller.UserId(), ct) is not { } team)
            return Problems.Result(Problems.NotFound("Team not found."));
        var userIds = team.Members.Select(m => m.UserId).ToArray();
        var users = (await db.LoadManyAsync<User>(ct, userIds)).ToDictionary(u => u.Id);
        return Results.Json(new TeamMembersAnswer(true, [.. team.Members.Where(m => users.ContainsKey(m.UserId)).Select(m => Member(m, users[m.UserId], team.Id))]));
    }

    public static TeamMemberJson Member(TeamMembership m, User user, Guid teamId) => new(
        m.InvitationId, teamId, m.UserId, m.Role, m.Status, user.Username, user.DisplayName, user.Timezone, m.AddedAt, m.AddedAt, m.AcceptedAt,
        new(user.Id, user.Email, user.Username, user.DisplayName, user.Timezone));
}

public static class AddTeamMemberEndpoint
{
    public static ProblemDetails Validate(AddMemberInput body) => new FieldErrors()
        .When(new object?[] { body.UserId, body.Username, body.Email }.Count(x => x is not null) != 1, "username",
            "Give exactly one of: username, email or userId.")
        .Text("username", body.Username, 1, 64)
        .Email("email", body.Email)
        .When(body.Role is not null and not ("owner" or "member"), "role", "role must be owner or member.")
        .ToProblem();

    /// <summary>Invites an organizer: they join only when they accept (<c>POST /v0/me/team-invitations/{id}/accept</c>).</summary>
    [Authorize]
    [ProducesResponseType<TeamMemberAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePost("/v0/teams/{teamId}/members", OperationId = "addTeamMember")]
    public static async Task<IResult> Post(Guid teamId, AddMemberInput body, ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock, CancellationToken ct)
    {
        if (await Teams.OwnedForChangeAsync(db, teamId, caller.UserId(), ct) is not { } team)
            return Problems.Result(Problems.NotFound("Team not found."));
        var user = body switch
        {
            { UserId: { } id } => await db.LoadAsync<User>(id, ct),
            { Username: { } username } => await db.Query<User>().FirstOrDefaultAsync(u => u.Username == username.Trim().ToLowerInvariant(), ct),
            _ => await db.Query<User>().FirstOrDefaultAsync(u => u.Email == body.Email!.Trim().ToLowerInvariant(), ct),
        };
        if (user is null)
            return Problems.Result(Problems.NotFound("No organizer with that username or email: they need to sign up first."));
        if (team.Has(user.Id))
            return Problems.Result(Problems.Create(409, "already-member", "That organizer is already a member of the team or invited to it."));

        var membership = new TeamMembership(user.Id, body.Role ?? "member", clock.GetUtcNow())
        {
            InvitationId = Guid.CreateVersion7(), Status = MembershipStatus.Invited,
        };
        team.Members.Add(membership);
        db.Store(team);
        return Results.Json(new TeamMemberAnswer(true, ListTeamMembersEndpoint.Member(membership, user, team.Id)));
    }
}

public static class RemoveTeamMemberEndpoint
{
    /// <summary>The owner removes a member or withdraws an invitation. Their bookings stay; the answer lists the upcoming ones.</summary>
    [Authorize]
    [ProducesResponseType<TeamDepartureAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverineDelete("/v0/teams/{teamId}/members/{userId}", OperationId = "removeTeamMember")]
    public static async Task<IResult> Delete(Guid teamId, Guid userId, ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock, CancellationToken ct)
    {
        if (await Teams.OwnedForChangeAsync(db, teamId, caller.UserId(), ct) is not { } team)
            return Problems.Result(Problems.NotFound("Team not found."));
        if (userId == team.OwnerId)
            return Problems.Result(Problems.Create(409, "owner-stays", "The team's owner cannot be removed from it."));
        return await TeamDepartures.RemoveAsync(db, team, userId, clock, ct);
    }
}

public static class LeaveTeamEndpoint
{
    /// <summary>A member leaves a team (or drops a pending invitation). Their bookings stay; the answer lists the upcoming ones.</summary>
    [Authorize]
    [ProducesResponseType<TeamDepartureAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverineDelete("/v0/me/teams/{teamId}", OperationId = "leaveTeam")]
    public static async Task<IResult> Delete(Guid teamId, ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock, CancellationToken ct)
    {
        await db.LockAsync(LockKind.Team, teamId, ct);
        var me = caller.UserId();
        if (await db.LoadAsync<Team>(teamId, ct) is not { } team || !team.Has(me))
            return Problems.Result(Problems.NotFound("You are not a member of that team."));
        if (me == team.OwnerId)
            return Problems.Result(Problems.Create(409, "owner-stays", "The team's owner cannot leave it."));
        return await TeamDepartures.RemoveAsync(db, team, me, clock, ct);
    }
}

public static class TeamDepartures
{
    public static async Task<IResult> RemoveAsync(IDocumentSession db, Team team, Guid userId, TimeProvider clock, CancellationToken ct)
    {
        if (team.Members.RemoveAll(m => m.UserId == userId) == 0)
            return Problems.Result(Problems.NotFound("That organizer is not a member of the team."));
        db.Store(team);
        var now = clock.GetUtcNow();
        var teamId = team.Id;
        var kept = await db.Query<Booking>()
            .Where(b => b.TeamId == teamId && b.ReservedUserIds.Contains(userId) && b.Status == BookingStatus.Confirmed && b.EndsAt > now)
            .OrderBy(b => b.StartsAt)
            .ToListAsync(ct);
        return Results.Json(new TeamDepartureAnswer(true, userId,
            [.. kept.Select(b => new KeptBookingJson(b.Id, b.EventTypeId, b.StartsAt, b.EndsAt, b.InviteeName))]));
    }
}

public static class ListTeamInvitationsEndpoint
{
    [Authorize]
    [ProducesResponseType<TeamInvitationsAnswer>(200)]
    [WolverineGet("/v0/me/team-invitations", OperationId = "listTeamInvitations")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        var me = caller.UserId();
        var teams = await db.Query<Team>().Where(t => t.Members.Any(m => m.UserId == me)).ToListAsync(ct);
        var pending = teams.SelectMany(t => t.Members.Where(m => m.UserId == me && !m.IsActive).Select(m => (Team: t, Membership: m))).ToList();
        var owners = (await db.LoadManyAsync<User>(ct, pending.Select(p => p.Team.OwnerId).Distinct().ToArray())).ToDictionary(u => u.Id);
        return Results.Json(new TeamInvitationsAnswer(true, [.. pending.OrderBy(p => p.Membership.AddedAt).Select(p => new TeamInvitationJson(
            p.Membership.InvitationId, p.Team.Id, new(p.Team.Name, p.Team.Slug), p.Membership.Role, p.Membership.Status, p.Membership.AddedAt,
            owners.TryGetValue(p.Team.OwnerId, out var owner) ? new InviterJson(owner.DisplayName, owner.Username) : null))]));
    }
}

/// <summary>Only the invited organizer answers an invitation; anyone else's id answers exactly like a missing one.</summary>
public static class AnswerTeamInvitationEndpoints
{
    [Authorize]
    [ProducesResponseType<TeamInvitationAnsweredAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverinePost("/v0/me/team-invitations/{id}/accept", OperationId = "acceptTeamInvitation")]
    public static Task<IResult> Accept(Guid id, ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock, CancellationToken ct) =>
        AnswerAsync(id, accept: true, caller.UserId(), db, clock, ct);

    [Authorize]
    [ProducesResponseType<TeamInvitationAnsweredAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverinePost("/v0/me/team-invitations/{id}/decline", OperationId = "declineTeamInvitation")]
    public static Task<IResult> Decline(Guid id, ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock, CancellationToken ct) =>
        AnswerAsync(id, accept: false, caller.UserId(), db, clock, ct);

    private static async Task<IResult> AnswerAsync(Guid id, bool accept, Guid me, IDocumentSession db, TimeProvider clock, CancellationToken ct)
    {
        var teamId = (await db.Query<Team>().Where(t => t.Members.Any(m => m.UserId == me)).ToListAsync(ct))
            .FirstOrDefault(t => t.Members.Any(m => m.InvitationId == id && m.UserId == me))?.Id;
        if (teamId is null) return Problems.Result(Problems.NotFound("Invitation not found."));
        await db.LockAsync(LockKind.Team, teamId.Value, ct);
        var team = await db.LoadAsync<Team>(teamId.Value, ct);
        var index = team?.Members.FindIndex(m => m.InvitationId == id && m.UserId == me) ?? -1;
        if (team is null || index < 0) return Problems.Result(Problems.NotFound("Invitation not found."));
        var membership = team.Members[index];
        if (membership.IsActive)
            return Problems.Result(Problems.Create(409, "already-member", "You already accepted this invitation."));

        if (accept) team.Members[index] = membership with { Status = MembershipStatus.Active, AcceptedAt = clock.GetUtcNow() };
        else team.Members.RemoveAt(index);
        db.Store(team);
        return Results.Json(new TeamInvitationAnsweredAnswer(true, team.Id, new(team.Name, team.Slug), accept ? MembershipStatus.Active : "declined"));
    }
}

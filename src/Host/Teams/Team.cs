using Marten;
using Marten.Schema;
using OpenCalendly.Projections;

namespace OpenCalendly.Host.Teams;

public static class MembershipStatus
{
    /// <summary>Asked by the owner, not yet accepted: in no availability, team page or assignment.</summary>
    public const string Invited = "invited";
    public const string Active = "active";
}

/// <summary>
/// A person's place in a team. Nobody is put into a team by someone else: the owner's add is an invitation
/// (<see cref="MembershipStatus.Invited"/>) that only the invited organizer can accept.
/// </summary>
public sealed record TeamMembership(Guid UserId, string Role, DateTimeOffset AddedAt)
{
    /// <summary>The invitation's id, which the invited organizer accepts or declines.</summary>
    public Guid InvitationId { get; init; }

    /// <summary>Memberships stored before invitations existed have no status and were active.</summary>
    public string Status { get; init; } = MembershipStatus.Active;

    public DateTimeOffset? AcceptedAt { get; init; }

    public bool IsActive => Status == MembershipStatus.Active;
}

/// <summary>A team: configuration, kept as a document. Only its owner manages it; members accept and leave.</summary>
public sealed class Team
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public List<TeamMembership> Members { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Invited or active.</summary>
    public bool Has(Guid userId) => Members.Any(m => m.UserId == userId);

    public bool IsActiveMember(Guid userId) => Members.Any(m => m.UserId == userId && m.IsActive);

    public IEnumerable<TeamMembership> ActiveMembers => Members.Where(m => m.IsActive);

    public static void Apply(StoreOptions opts) =>
        opts.Schema.For<Team>().Index(x => x.OwnerId).UniqueIndex(UniqueIndexType.Computed, "team_slug", x => x.Slug)
            .UseOptimisticConcurrency(true);
}

public static class Teams
{
    /// <summary>The caller's own team, or null: another owner's team answers exactly like a missing one.</summary>
    public static async Task<Team?> OwnedAsync(IQuerySession db, Guid teamId, Guid callerId, CancellationToken ct) =>
        await db.LoadAsync<Team>(teamId, ct) is { } team && team.OwnerId == callerId ? team : null;

    /// <summary>The caller's own team, read under the team's lock (for a change to it), or null.</summary>
    public static async Task<Team?> OwnedForChangeAsync(IDocumentSession db, Guid teamId, Guid callerId, CancellationToken ct)
    {
        await db.LockAsync(LockKind.Team, teamId, ct);
        return await OwnedAsync(db, teamId, callerId, ct);
    }
}

using Marten;
using Marten.Schema;

namespace OpenCalendly.Host.Teams;

public sealed record TeamMembership(Guid UserId, string Role, DateTimeOffset AddedAt);

/// <summary>A team: configuration, kept as a document. Only its owner manages it.</summary>
public sealed class Team
{
    public Guid Id { get; set; }
    public Guid OwnerId { get; set; }
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public List<TeamMembership> Members { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }

    public bool Has(Guid userId) => Members.Any(m => m.UserId == userId);

    public static void Apply(StoreOptions opts) =>
        opts.Schema.For<Team>().Index(x => x.OwnerId).UniqueIndex(UniqueIndexType.Computed, "team_slug", x => x.Slug);
}

public static class Teams
{
    /// <summary>The caller's own team, or null: another owner's team answers exactly like a missing one.</summary>
    public static async Task<Team?> OwnedAsync(IQuerySession db, Guid teamId, Guid callerId, CancellationToken ct) =>
        await db.LoadAsync<Team>(teamId, ct) is { } team && team.OwnerId == callerId ? team : null;
}

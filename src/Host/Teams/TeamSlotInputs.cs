using Marten;
using NodaTime;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;
using OpenCalendly.Scheduling.Teams;

namespace OpenCalendly.Host.Teams;

public static class TeamSlotInputs
{
    /// <summary>The members <paramref name="eventType"/> draws on (<see cref="TeamPool.Of"/>).</summary>
    public static IReadOnlyList<Guid> Pool(Team team, EventType eventType) => TeamPool.Of(eventType, [.. team.ActiveMembers.Select(m => m.UserId)]);

    /// <summary>Each member's own slots (their zone, rules, overrides and reservations), merged by the team's mode.</summary>
    /// <param name="ignoring">A booking that counts neither as taken time nor toward caps (the one being rescheduled; <paramref name="taken"/> must ignore it too).</param>
    public static async Task<IReadOnlyList<TeamSlot>> ComputeAsync(
        IQuerySession db, ITakenTimeSource taken, Team team, EventType eventType, Instant from, Instant to, Instant now, CancellationToken ct,
        IReadOnlyList<Guid>? only = null, Guid? ignoring = null)
    {
        var pool = only ?? Pool(team, eventType);
        var users = (await db.LoadManyAsync<User>(ct, [.. pool, eventType.OrganizerId])).ToDictionary(u => u.Id);
        // Caps count the team's bookings in the owner's days, whichever member holds them.
        var capsZone = users.TryGetValue(eventType.OrganizerId, out var owner) ? SlotInputs.ZoneOf(owner) : DateTimeZone.Utc;
        var counted = await SlotInputs.CountedAsync(db, eventType, capsZone, from, to, ct, ignoring);
        var schedules = (await db.LoadManyAsync<Schedule>(ct, pool)).ToDictionary(s => s.Id);
        var slotsByMember = new Dictionary<Guid, IReadOnlyList<Slot>>();
        foreach (var memberId in pool)
        {
            if (!users.TryGetValue(memberId, out var user))
            {
                slotsByMember[memberId] = [];
                continue;
            }
            var memberTaken = await taken.OfAsync(memberId, from - SlotInputs.Reach, to + SlotInputs.Reach, ct);
            slotsByMember[memberId] = SlotCalculator.Compute(
                SlotInputs.For(user, eventType, schedules.GetValueOrDefault(memberId), memberTaken, from, to, now, counted, capsZone));
        }
        return TeamSlots.Merge(eventType.Mode ?? TeamMode.RoundRobin, slotsByMember);
    }

    /// <summary>The zone a team event type's days are counted in: its owner's (UTC if the owner is gone).</summary>
    public static async Task<DateTimeZone> OwnerZoneAsync(IQuerySession db, EventType eventType, CancellationToken ct) =>
        await db.LoadAsync<User>(eventType.OrganizerId, ct) is { } owner ? SlotInputs.ZoneOf(owner) : DateTimeZone.Utc;

    public static async Task<(Team Team, EventType EventType)?> FindAsync(IQuerySession db, string teamSlug, string eventSlug, CancellationToken ct)
    {
        if (teamSlug.Length > 80 || eventSlug.Length > 80) return null;
        var team = await db.Query<Team>().FirstOrDefaultAsync(t => t.Slug == teamSlug, ct);
        if (team is null) return null;
        var scope = EventType.TeamScope(team.Id);
        var eventType = await db.Query<EventType>().FirstOrDefaultAsync(e => e.Scope == scope && e.Slug == eventSlug, ct);
        return eventType is { IsActive: true } ? (team, eventType) : null;
    }
}

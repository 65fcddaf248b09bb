using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Host.Teams;
using OpenCalendly.Projections;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;

namespace OpenCalendly.Host.Analytics;

public static class TeamAnalyticsEndpoint
{
    private static readonly string AssignmentsSql =
        $"select event_type_id, member_id, sum(assignments)::int from {StoreConfiguration.TeamAssignmentsDaily.QualifiedName} " +
        "where event_type_id = any($1) and day between $2 and $3 group by event_type_id, member_id";

    private static readonly string CollectiveSql =
        $"select event_type_id, sum(confirmed + canceled + rescheduled)::int from {StoreConfiguration.FunnelDaily.QualifiedName} " +
        "where event_type_id = any($1) and day between $2 and $3 group by event_type_id";

    /// <summary>
    /// Round-robin assignments per member and collective bookings per event type, for the caller's teams
    /// (optionally one team, or one team event type).
    /// </summary>
    [Scope(ApiScopes.AnalyticsRead)]
    [ProducesResponseType<TeamAnalyticsAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [WolverineGet("/v0/analytics/team", OperationId = "teamAnalytics")]
    public static async Task<IResult> Get(
        string? startDate, string? endDate, string? eventTypeId, string? teamId, ClaimsPrincipal caller, IQuerySession db, NpgsqlDataSource data,
        TimeProvider clock, CancellationToken ct)
    {
        var (range, problem) = AnalyticsQuery.Range(startDate, endDate, clock.GetUtcNow());
        if (problem is not null) return Problems.Result(problem);
        var ownerId = caller.UserId();
        var teams = (await db.Query<Team>().Where(t => t.OwnerId == ownerId).ToListAsync(ct)).ToDictionary(t => t.Id);
        if (!AnalyticsQuery.TryId(teamId, out var onlyTeam) || onlyTeam is { } team && !teams.ContainsKey(team))
            return Problems.Result(Problems.NotFound("Team not found."));

        var teamEventTypes = (await AnalyticsQuery.EventTypesOfAsync(db, ownerId, ct)).Values
            .Where(e => e.TeamId is { } t && teams.ContainsKey(t) && (onlyTeam is null || t == onlyTeam)).ToDictionary(e => e.Id);
        if (!AnalyticsQuery.TryId(eventTypeId, out var onlyEventType) || onlyEventType is { } id && !teamEventTypes.ContainsKey(id))
            return Problems.Result(Problems.NotFound("Team event type not found."));
        var chosen = teamEventTypes.Values.Where(e => onlyEventType is null || e.Id == onlyEventType).ToList();

        var assignments = new List<(Guid EventTypeId, Guid MemberId, int Count)>();
        await using (var command = data.CreateCommand(AssignmentsSql))
        {
            command.Parameters.Add(AnalyticsQuery.Value(chosen.Where(e => e.Mode == TeamMode.RoundRobin).Select(e => e.Id).ToArray()));
            command.Parameters.Add(AnalyticsQuery.Value(range!.Start));
            command.Parameters.Add(AnalyticsQuery.Value(range.End));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) assignments.Add((reader.GetGuid(0), reader.GetGuid(1), reader.GetInt32(2)));
        }
        var collective = new Dictionary<Guid, int>();
        await using (var command = data.CreateCommand(CollectiveSql))
        {
            command.Parameters.Add(AnalyticsQuery.Value(chosen.Where(e => e.Mode == TeamMode.Collective).Select(e => e.Id).ToArray()));
            command.Parameters.Add(AnalyticsQuery.Value(range.Start));
            command.Parameters.Add(AnalyticsQuery.Value(range.End));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) collective[reader.GetGuid(0)] = reader.GetInt32(1);
        }

        // Everyone in a round-robin pool is listed, assigned or not, beside their weight share; so is anyone assigned in the range.
        var rows = new List<(EventType EventType, Guid MemberId, int Count)>();
        foreach (var eventType in chosen.Where(e => e.Mode == TeamMode.RoundRobin))
        {
            var counted = assignments.Where(a => a.EventTypeId == eventType.Id).ToDictionary(a => a.MemberId, a => a.Count);
            foreach (var memberId in TeamSlotInputs.Pool(teams[eventType.TeamId!.Value], eventType).Union(counted.Keys))
                rows.Add((eventType, memberId, counted.GetValueOrDefault(memberId)));
        }
        var members = (await db.LoadManyAsync<User>(ct, rows.Select(a => a.MemberId).Distinct())).ToDictionary(u => u.Id);
        return Results.Json(new TeamAnalyticsAnswer(true, new(range.Start, range.End),
            [.. rows
                .OrderBy(a => a.EventType.Name, StringComparer.Ordinal).ThenByDescending(a => a.Count).ThenBy(a => a.MemberId)
                .Select(a => Assignment(teams[a.EventType.TeamId!.Value], a.EventType, a.MemberId, members.GetValueOrDefault(a.MemberId)?.DisplayName,
                    a.Count, rows.Where(r => r.EventType == a.EventType).Sum(r => r.Count)))],
            [.. chosen.Where(e => e.Mode == TeamMode.Collective).OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => new CollectiveBookingsJson(
                e.Id, e.TeamId, teams[e.TeamId!.Value].Name, e.Id, e.Name, collective.GetValueOrDefault(e.Id)))]));
    }

    private static RoundRobinAssignmentJson Assignment(Team team, EventType eventType, Guid memberId, string? name, int count, int total)
    {
        var pool = TeamSlotInputs.Pool(team, eventType);
        var weighting = pool.Contains(memberId) ? eventType.EffectiveRoundRobin.For(memberId) : new MemberWeighting(memberId, 0, 0);
        var poolWeight = pool.Sum(id => eventType.EffectiveRoundRobin.For(id).Weight);
        return new RoundRobinAssignmentJson(eventType.Id, eventType.TeamId, team.Name, eventType.Id, eventType.Name, memberId, name ?? "Former member",
            count, weighting.Weight, weighting.Priority, poolWeight == 0 ? 0 : Math.Round((double)weighting.Weight / poolWeight, 4),
            total == 0 ? 0 : Math.Round((double)count / total, 4));
    }
}

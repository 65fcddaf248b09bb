using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;
using Wolverine.Persistence;
using Wolverine.Runtime;

namespace OpenCalendly.Host.Health;

public sealed record OutboxCountsJson(int Outgoing, int Scheduled, int Incoming, int DeadLetters);

/// <summary>A health answer: the status, and for operators the database, the durability agent and the outbox backlog.</summary>
public sealed record HealthAnswer(
    string Status,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Database = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DurabilityAgent = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OutboxCountsJson? Outbox = null);

public static class HealthEndpoint
{
    [ProducesResponseType<HealthAnswer>(200)]
    [ProducesResponseType<HealthAnswer>(503)]
    [WolverineGet("/health", OperationId = "health")]
    public static async Task<IResult> Get(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            await command.ExecuteScalarAsync(ct);
            return Results.Json(new HealthAnswer("ok", "ok"));
        }
        catch (NpgsqlException)
        {
            return Results.Json(new HealthAnswer("degraded", "unreachable"), statusCode: 503);
        }
    }

    /// <summary>Liveness: the process answers, without touching the database.</summary>
    [ProducesResponseType<HealthAnswer>(200)]
    [WolverineGet("/health/live", OperationId = "live")]
    public static IResult Live() => Results.Json(new HealthAnswer("ok"));

    /// <summary>
    /// Readiness: the database answers, and Wolverine's durability agent (which recovers outbox and inbox messages and
    /// fires scheduled ones) runs on this node or another one of the cluster; with the outbox backlog.
    /// </summary>
    [ProducesResponseType<HealthAnswer>(200)]
    [ProducesResponseType<HealthAnswer>(503)]
    [WolverineGet("/health/ready", OperationId = "ready")]
    /// <remarks>
    /// The backlog is for operators: shown with <c>Health:ShowDetails</c> (on outside Production) or to a caller on this
    /// machine; anyone else sees only the status.
    /// </remarks>
    public static async Task<IResult> Ready(NpgsqlDataSource dataSource, IWolverineRuntime runtime, HttpContext http, IConfiguration config, IHostEnvironment environment, CancellationToken ct)
    {
        var scheme = PersistenceConstants.AgentScheme;
        bool durability;
        try
        {
            await using var command = dataSource.CreateCommand(
                "select count(*) from opencalendly.wolverine_node_assignments a join opencalendly.wolverine_nodes n on n.id = a.node_id where a.id like $1");
            command.Parameters.Add(new NpgsqlParameter { Value = scheme + "://%" });
            durability = runtime.Agents.AllRunningAgentUris().Any(u => u.Scheme == scheme) || (long)(await command.ExecuteScalarAsync(ct))! > 0;
        }
        catch (NpgsqlException)
        {
            return Results.Json(new HealthAnswer("unavailable", "unreachable"), statusCode: 503);
        }
        var status = durability ? "ready" : "starting";
        var details = config.GetValue("Health:ShowDetails", !environment.IsProduction())
            || http.Connection.RemoteIpAddress is { } caller && System.Net.IPAddress.IsLoopback(caller);
        if (!details) return Results.Json(new HealthAnswer(status), statusCode: durability ? 200 : 503);
        var counts = await runtime.Storage.Admin.FetchCountsAsync();
        return Results.Json(new HealthAnswer(status, "ok", durability ? "running" : "not running",
            new(counts.Outgoing, counts.Scheduled, counts.Incoming, counts.DeadLetter)), statusCode: durability ? 200 : 503);
    }
}

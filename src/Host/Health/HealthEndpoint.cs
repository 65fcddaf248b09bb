using Npgsql;
using Wolverine.Http;
using Wolverine.Persistence;
using Wolverine.Runtime;

namespace OpenCalendly.Host.Health;

public static class HealthEndpoint
{
    [WolverineGet("/health", OperationId = "health")]
    public static async Task<IResult> Get(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            await command.ExecuteScalarAsync(ct);
            return Results.Json(new { status = "ok", database = "ok" });
        }
        catch (NpgsqlException)
        {
            return Results.Json(new { status = "degraded", database = "unreachable" }, statusCode: 503);
        }
    }

    /// <summary>Liveness: the process answers, without touching the database.</summary>
    [WolverineGet("/health/live", OperationId = "live")]
    public static IResult Live() => Results.Json(new { status = "ok" });

    /// <summary>
    /// Readiness: the database answers, and Wolverine's durability agent (which recovers outbox and inbox messages and
    /// fires scheduled ones) runs on this node or another one of the cluster; with the outbox backlog.
    /// </summary>
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
            return Results.Json(new { status = "unavailable", database = "unreachable" }, statusCode: 503);
        }
        var status = durability ? "ready" : "starting";
        var details = config.GetValue("Health:ShowDetails", !environment.IsProduction())
            || http.Connection.RemoteIpAddress is { } caller && System.Net.IPAddress.IsLoopback(caller);
        if (!details) return Results.Json(new { status }, statusCode: durability ? 200 : 503);
        var counts = await runtime.Storage.Admin.FetchCountsAsync();
        return Results.Json(new
        {
            status,
            database = "ok",
            durabilityAgent = durability ? "running" : "not running",
            outbox = new { outgoing = counts.Outgoing, scheduled = counts.Scheduled, incoming = counts.Incoming, deadLetters = counts.DeadLetter },
        }, statusCode: durability ? 200 : 503);
    }
}

using Npgsql;
using Wolverine.Http;

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
}

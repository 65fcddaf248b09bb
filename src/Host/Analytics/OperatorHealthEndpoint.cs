using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using Wolverine.Http;

namespace OpenCalendly.Host.Analytics;

public static class OperatorHealthEndpoint
{
    // The caller's deliveries created in the range: webhook deliveries are theirs by owner, emails by the booking they are about.
    private static readonly string WebhookSql =
        "select data->>'status', count(*)::int from opencalendly.mt_doc_webhookdelivery " +
        "where (data->>'organizerId')::uuid = $1 and (data->>'createdAt')::timestamptz >= $2 and (data->>'createdAt')::timestamptz < $3 group by 1";

    private static readonly string EmailSql =
        "select e.data->>'kind', e.data->>'status', count(*)::int from opencalendly.mt_doc_emaildelivery e " +
        "join opencalendly.mt_doc_booking b on b.id = (e.data->>'bookingId')::uuid " +
        "where (b.data->>'organizerId')::uuid = $1 and (e.data->>'createdAt')::timestamptz >= $2 and (e.data->>'createdAt')::timestamptz < $3 group by 1, 2";

    /// <summary>Delivery health of the caller's webhooks and booking emails, from the delivery records.</summary>
    [Scope(ApiScopes.AnalyticsRead)]
    [ProducesResponseType<OperatorHealthAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [WolverineGet("/v0/analytics/operator/health", OperationId = "operatorHealth")]
    public static async Task<IResult> Get(
        string? startDate, string? endDate, ClaimsPrincipal caller, NpgsqlDataSource data, TimeProvider clock, CancellationToken ct)
    {
        var (range, problem) = AnalyticsQuery.Range(startDate, endDate, clock.GetUtcNow());
        if (problem is not null) return Problems.Result(problem);
        var from = new DateTimeOffset(range!.Start.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var to = new DateTimeOffset(range.End.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var organizerId = caller.UserId();

        var webhooks = new Dictionary<string, int>();
        await using (var command = data.CreateCommand(WebhookSql))
        {
            command.Parameters.Add(AnalyticsQuery.Value(organizerId));
            command.Parameters.Add(AnalyticsQuery.Value(from));
            command.Parameters.Add(AnalyticsQuery.Value(to));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) webhooks[reader.GetString(0)] = reader.GetInt32(1);
        }
        var emails = new List<(string Kind, string Status, int Count)>();
        await using (var command = data.CreateCommand(EmailSql))
        {
            command.Parameters.Add(AnalyticsQuery.Value(organizerId));
            command.Parameters.Add(AnalyticsQuery.Value(from));
            command.Parameters.Add(AnalyticsQuery.Value(to));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) emails.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
        }

        static int Counted(IEnumerable<(string Kind, string Status, int Count)> rows, string status) => rows.Where(e => e.Status == status).Sum(e => e.Count);
        return Results.Json(new OperatorHealthAnswer(true, new(range.Start, range.End),
            new(webhooks.Values.Sum(), webhooks.GetValueOrDefault("Pending"), webhooks.GetValueOrDefault("Succeeded"), webhooks.GetValueOrDefault("Failed")),
            new(emails.Sum(e => e.Count), Counted(emails, "Pending"), Counted(emails, "Succeeded"), Counted(emails, "Failed"),
                [.. emails.GroupBy(e => e.Kind).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new EmailTypeCountsJson(
                    g.Key, g.Sum(e => e.Count), Counted(g, "Pending"), Counted(g, "Succeeded"), Counted(g, "Failed")))])));
    }
}

using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using System.Globalization;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using Wolverine.Http;
using Wolverine.Marten.Publishing;
using Wolverine.Runtime;

namespace OpenCalendly.Host.Webhooks;

/// <summary>
/// Runs the caller's due deliveries now, each in its own transaction with its own message context
/// (deliveries also run by themselves; this is for integrators who don't want to wait for the next poll).
/// </summary>
public static class RunWebhookDeliveriesEndpoint
{
    [Scope(ApiScopes.WebhooksWrite)]
    [ProducesResponseType<DeliveryRunAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [EnableRateLimiting(RateLimits.DeliveryRun)]
    [WolverinePost("/v0/webhooks/deliveries/run", OperationId = "runWebhookDeliveries")]
    public static async Task<IResult> Post(
        string? limit, ClaimsPrincipal caller, IDocumentStore store, OutboxedSessionFactory sessions, IWolverineRuntime runtime,
        WebhookAttempts attempts, TimeProvider clock, CancellationToken ct)
    {
        if (!int.TryParse(limit ?? "20", NumberStyles.None, CultureInfo.InvariantCulture, out var take) || take is < 1 or > 100)
            return Problems.Result(Problems.Invalid("limit", "limit must be a whole number from 1 to 100."));

        var organizerId = caller.UserId();
        var now = clock.GetUtcNow();
        Guid[] due;
        await using (var query = store.QuerySession())
            due = [.. await query.Query<WebhookDelivery>()
                .Where(d => d.OrganizerId == organizerId && d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= now)
                .OrderBy(d => d.NextAttemptAt).Take(take).Select(d => d.Id).ToListAsync(ct)];

        var summary = await DueAttempts.RunAsync(due, sessions, runtime, attempts.RunAsync, ct);
        return Results.Json(new DeliveryRunAnswer(true, summary.Processed, summary.Succeeded, summary.Retried, summary.Failed));
    }
}

using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Integrations.Secrets;
using OpenCalendly.Projections;
using Wolverine.Http;

namespace OpenCalendly.Host.Webhooks;

public static class ListWebhooksEndpoint
{
    [Scope(ApiScopes.WebhooksRead)]
    [ProducesResponseType<WebhooksAnswer>(200)]
    [WolverineGet("/v0/webhooks", OperationId = "listWebhooks")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        var organizerId = caller.UserId();
        var subscriptions = await db.Query<WebhookSubscription>().Where(s => s.OrganizerId == organizerId).OrderBy(s => s.CreatedAt).ToListAsync(ct);
        return Results.Json(new WebhooksAnswer(true, [.. subscriptions.Select(WebhookJson.Of)]));
    }
}

public static class CreateWebhookEndpoint
{
    [Scope(ApiScopes.WebhooksWrite)]
    [ProducesResponseType<WebhookAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePost("/v0/webhooks", OperationId = "createWebhook")]
    public static async Task<IResult> Post(
        WebhookInput body, ClaimsPrincipal caller, IDocumentSession db, SecretBox secrets, WebhookSettings settings, TimeProvider clock, CancellationToken ct)
    {
        var errors = await body.CheckTargetAsync(body.Check(creating: true), settings, ct);
        if (errors.Any) return Problems.Result(errors.ToProblem());

        // Counted under the organizer's lock, so concurrent creates cannot pass the cap together.
        var organizerId = caller.UserId();
        await db.LockAsync(LockKind.OrganizerWebhooks, organizerId, ct);
        if (await db.Query<WebhookSubscription>().CountAsync(s => s.OrganizerId == organizerId, ct) >= settings.MaxSubscriptions)
            return Problems.Result(Problems.Create(409, "webhook-limit",
                $"At most {settings.MaxSubscriptions} webhook subscriptions per organizer: remove or reuse one first."));

        var now = clock.GetUtcNow();
        var subscription = new WebhookSubscription
        {
            Id = Guid.CreateVersion7(), OrganizerId = caller.UserId(), Url = body.Url!, Events = [.. body.Events!.OfType<string>().Distinct()],
            SealedSecret = secrets.Seal(body.Secret!), IsActive = body.IsActive ?? true, CreatedAt = now, UpdatedAt = now,
        };
        db.Store(subscription);
        return Results.Json(new WebhookAnswer(true, WebhookJson.Of(subscription)));
    }
}

public static class UpdateWebhookEndpoint
{
    [Scope(ApiScopes.WebhooksWrite)]
    [ProducesResponseType<WebhookAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePatch("/v0/webhooks/{id}", OperationId = "updateWebhook")]
    public static async Task<IResult> Patch(
        Guid id, WebhookInput body, ClaimsPrincipal caller, IDocumentSession db, SecretBox secrets, WebhookSettings settings, TimeProvider clock, CancellationToken ct)
    {
        if (body is { Url: null, Events: null, Secret: null, IsActive: null })
            return Problems.Result(Problems.Create(400, "empty-update", "Send at least one field to update."));
        // The target is resolved before the lock is taken: no transaction waits on DNS.
        var errors = await body.CheckTargetAsync(body.Check(creating: false), settings, ct);
        await db.LockAsync(LockKind.WebhookSubscription, id, ct);
        var subscription = await db.LoadAsync<WebhookSubscription>(id, ct);
        if (subscription is null || subscription.OrganizerId != caller.UserId())
            return Problems.Result(Problems.NotFound("Webhook not found."));
        if (errors.Any) return Problems.Result(errors.ToProblem());

        subscription.Url = body.Url ?? subscription.Url;
        subscription.Events = body.Events is null ? subscription.Events : [.. body.Events.OfType<string>().Distinct()];
        subscription.SealedSecret = body.Secret is null ? subscription.SealedSecret : secrets.Seal(body.Secret);
        subscription.IsActive = body.IsActive ?? subscription.IsActive;
        subscription.UpdatedAt = clock.GetUtcNow();
        db.Store(subscription);
        return Results.Json(new WebhookAnswer(true, WebhookJson.Of(subscription)));
    }
}

/// <summary>Not in the v0 contract: the recent deliveries of one subscription, for the console and operators.</summary>
public static class ListWebhookDeliveriesEndpoint
{
    [Scope(ApiScopes.WebhooksRead)]
    [ProducesResponseType<WebhookDeliveriesAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverineGet("/v0/webhooks/{id}/deliveries", OperationId = "listWebhookDeliveries")]
    public static async Task<IResult> Get(Guid id, ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        var subscription = await db.LoadAsync<WebhookSubscription>(id, ct);
        if (subscription is null || subscription.OrganizerId != caller.UserId())
            return Problems.Result(Problems.NotFound("Webhook not found."));
        var deliveries = await db.Query<WebhookDelivery>().Where(d => d.SubscriptionId == id)
            .OrderByDescending(d => d.CreatedAt).Take(50).ToListAsync(ct);
        return Results.Json(new WebhookDeliveriesAnswer(true, [.. deliveries.Select(d => new WebhookDeliveryJson(
            d.Id, d.EventId, d.EventType, d.Status, d.Attempts, d.NextAttemptAt, d.LastAttemptAt, d.LastStatus, d.LastError, d.CreatedAt))]));
    }
}

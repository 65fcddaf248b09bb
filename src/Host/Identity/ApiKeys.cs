using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Projections;
using Wolverine.Http;

namespace OpenCalendly.Host.Identity;

/// <summary>What an API key may do: one scope per area and direction. A key holds only the scopes it was given.</summary>
public static class ApiScopes
{
    public const string EventTypesRead = "event-types:read";
    public const string EventTypesWrite = "event-types:write";
    public const string AvailabilityRead = "availability:read";
    public const string AvailabilityWrite = "availability:write";
    public const string BookingsRead = "bookings:read";
    public const string BookingsWrite = "bookings:write";
    public const string WebhooksRead = "webhooks:read";
    public const string WebhooksWrite = "webhooks:write";
    public const string AnalyticsRead = "analytics:read";

    public static IReadOnlyList<string> All { get; } =
        [EventTypesRead, EventTypesWrite, AvailabilityRead, AvailabilityWrite, BookingsRead, BookingsWrite, WebhooksRead, WebhooksWrite, AnalyticsRead];
}

/// <summary>
/// An organizer's API key. Only the SHA-256 of its token is kept (the token is shown once, at creation); the prefix,
/// the token's first characters, lets the owner tell keys apart. A revoked key stays, so history can still name it.
/// </summary>
public sealed class ApiKey
{
    /// <summary>Every token starts so: a leaked one is recognisable (secret scanners), and the server tells keys from sessions by it.</summary>
    public const string TokenPrefix = "oc_live_";

    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public string Name { get; set; } = "";
    public List<string> Scopes { get; set; } = [];
    public string Prefix { get; set; } = "";
    public string TokenHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsValidAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    /// <summary>A new token: the prefix and 256 random bits.</summary>
    public static string NewToken() => TokenPrefix + Tokens.New();

    public static bool LooksLikeToken(string token) => token.StartsWith(TokenPrefix, StringComparison.Ordinal);
}

public sealed record ApiKeyJson(
    Guid Id, string Name, IReadOnlyList<string> Scopes, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt)
{
    public static ApiKeyJson Of(ApiKey key) => new(key.Id, key.Name, key.Scopes, key.Prefix, key.CreatedAt, key.ExpiresAt, key.LastUsedAt);
}

public sealed record ApiKeyCreatedAnswer(bool Ok, ApiKeyJson ApiKey, string Token);

public sealed record ApiKeysAnswer(bool Ok, IReadOnlyList<ApiKeyJson> ApiKeys);

public sealed record CreateApiKeyInput(string? Name, List<string?>? Scopes, DateTimeOffset? ExpiresAt);

/// <summary>
/// Creating an API key. Like listing and revoking them (<see cref="ApiKeyEndpoints"/>), it takes a signed-in session only
/// (the default policy): a key cannot make or revoke keys.
/// </summary>
public static class CreateApiKeyEndpoint
{
    /// <summary>Active keys one organizer may hold.</summary>
    public const int MostKeys = 50;

    public static ProblemDetails Validate(CreateApiKeyInput body, TimeProvider clock)
    {
        var scopes = body.Scopes ?? [];
        return new FieldErrors()
            .Text("name", body.Name, 1, 80, required: true)
            .When(body.Scopes is null || scopes.Count == 0, "scopes", "scopes must list at least one scope: " + string.Join(", ", ApiScopes.All) + ".")
            .When(scopes.Any(s => s is null || !ApiScopes.All.Contains(s)), "scopes",
                $"Unknown scope \"{scopes.FirstOrDefault(s => s is null || !ApiScopes.All.Contains(s))}\"; scopes are " + string.Join(", ", ApiScopes.All) + ".")
            .When(scopes.Distinct().Count() != scopes.Count, "scopes", "scopes must not repeat a scope.")
            .When(body.ExpiresAt is { } at && at <= clock.GetUtcNow(), "expiresAt", "expiresAt must be in the future.")
            .ToProblem();
    }

    [Authorize]
    [ProducesResponseType<ApiKeyCreatedAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePost("/v0/api-keys", OperationId = "createApiKey")]
    public static async Task<IResult> Post(CreateApiKeyInput body, ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock, CancellationToken ct)
    {
        var userId = caller.UserId();
        var now = clock.GetUtcNow();
        // Counted under the organizer's lock: two keys made at once would otherwise both see room for one.
        await db.LockAsync(LockKind.OrganizerApiKeys, userId, ct);
        var active = await db.Query<ApiKey>().CountAsync(k => k.UserId == userId && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now), ct);
        if (active >= MostKeys)
            return Problems.Result(Problems.Create(409, "too-many-api-keys", $"An organizer may hold at most {MostKeys} active API keys; revoke one first."));

        var token = ApiKey.NewToken();
        var key = new ApiKey
        {
            Id = Guid.CreateVersion7(), UserId = userId, Name = body.Name!.Trim(), Scopes = [.. body.Scopes!.OfType<string>()],
            Prefix = token[..(ApiKey.TokenPrefix.Length + 6)], TokenHash = Tokens.Hash(token), CreatedAt = now, ExpiresAt = body.ExpiresAt,
        };
        db.Store(key);
        return Results.Json(new ApiKeyCreatedAnswer(true, ApiKeyJson.Of(key), token));
    }

}

/// <summary>Listing and revoking API keys: a signed-in session only.</summary>
public static class ApiKeyEndpoints
{
    [Authorize]
    [ProducesResponseType<ApiKeysAnswer>(200)]
    [WolverineGet("/v0/api-keys", OperationId = "listApiKeys")]
    public static async Task<ApiKeysAnswer> Get(ClaimsPrincipal caller, IQuerySession db, TimeProvider clock, CancellationToken ct)
    {
        var userId = caller.UserId();
        var keys = await db.Query<ApiKey>().Where(k => k.UserId == userId && k.RevokedAt == null).OrderBy(k => k.CreatedAt).ToListAsync(ct);
        var now = clock.GetUtcNow();
        return new ApiKeysAnswer(true, [.. keys.Where(k => k.IsValidAt(now)).Select(ApiKeyJson.Of)]);
    }

    /// <summary>Revokes at once on every host: a key is looked up on every request, never cached.</summary>
    [Authorize]
    [ProducesResponseType<OkAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverineDelete("/v0/api-keys/{id}", OperationId = "revokeApiKey")]
    public static async Task<IResult> Delete(Guid id, ClaimsPrincipal caller, IDocumentSession db, TimeProvider clock, CancellationToken ct)
    {
        var key = await db.LoadAsync<ApiKey>(id, ct);
        if (key is null || key.UserId != caller.UserId() || key.RevokedAt is not null) return Problems.Result(Problems.NotFound("API key not found."));
        key.RevokedAt = clock.GetUtcNow();
        db.Store(key);
        return Results.Json(new OkAnswer(true));
    }
}

using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Integrations.Secrets;
using OpenCalendly.Scheduling.Calendars;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten.Publishing;

namespace OpenCalendly.Host.Calendars;

public sealed record ConnectStartInput(string? RedirectUri);

public sealed record ConnectCompleteInput(string? Code, string? State, string? RedirectUri);

internal static class ConnectRules
{
    public static FieldErrors RedirectUri(this FieldErrors errors, string? value) => errors
        .Text("redirectUri", value, 1, 2000, required: true)
        .When(value is { Length: > 0 and <= 2000 } && !OAuthState.IsRedirectUri(value), "redirectUri", "redirectUri must be an absolute http(s) URL without a fragment.");

    public static ProblemDetails NotConfigured(CalendarProvider provider) => provider == CalendarProvider.CalDav
        ? Problems.Create(400, "calendar-not-oauth", "CalDAV calendars connect with a username and an app-specific password: POST /v0/calendar/caldav/connect.")
        : Problems.Create(400, "calendar-not-configured",
            $"{(provider == CalendarProvider.Google ? "Google" : "Microsoft")} calendars are not configured on this server " +
            $"(set Calendar:{provider}:ClientId and Calendar:{provider}:ClientSecret).");

    public static ProblemDetails UnknownProvider() => Problems.NotFound("Unknown calendar provider: use google, microsoft or caldav.");

    /// <summary>
    /// Appends a (re)connection under the connection's lock, from the connection as it stood (null when new), with its
    /// first sync queued in the same transaction; the connection as it now is.
    /// </summary>
    public static async Task<CalendarConnection> ConnectAsync(
        OutboxedSessionFactory sessions, IMessageBus bus, Guid id, Func<CalendarConnection?, CalendarConnected> connect, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = sessions.OpenSession(bus);
        var stream = await CalendarConnectionLock.FetchLockedAsync(session, id, ct);
        var before = stream.Aggregate;
        var connected = connect(before);
        stream.AppendOne(connected);
        await bus.PublishAsync(new SyncCalendar(id, now));
        await session.SaveChangesAsync(ct);
        return CalendarConnection.From(connected, before);
    }
}

public static class StartCalendarConnectionEndpoint
{
    public static ProblemDetails Validate(ConnectStartInput body) => new FieldErrors().RedirectUri(body.RedirectUri).ToProblem();

    [Authorize]
    [ProducesResponseType<ConnectStartAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverinePost("/v0/calendar/{provider}/connect/start", OperationId = "startCalendarConnection")]
    public static IResult Post(
        string provider, ConnectStartInput body, ClaimsPrincipal caller, CalendarProviders providers, OAuthState states, SecretBox secrets,
        IDocumentSession db, TimeProvider clock)
    {
        if (CalendarProviders.Parse(provider) is not { } kind) return Problems.Result(ConnectRules.UnknownProvider());
        if (providers.Find(kind) is not { } adapter) return Problems.Result(ConnectRules.NotConfigured(kind));
        var (state, nonce, expiresAt) = states.Issue(caller.UserId(), kind, body.RedirectUri!, clock.GetUtcNow());
        var (verifier, challenge) = OAuthState.Pkce();
        db.Store(new OAuthAttempt { Id = nonce, UserId = caller.UserId(), SealedVerifier = secrets.Seal(verifier), ExpiresAt = expiresAt });
        return Results.Json(new ConnectStartAnswer(true, provider, adapter.AuthorizationUrl(body.RedirectUri!, state, challenge).AbsoluteUri, state, expiresAt));
    }
}

public static class CompleteCalendarConnectionEndpoint
{
    public static ProblemDetails Validate(ConnectCompleteInput body) => new FieldErrors()
        .Text("code", body.Code, 1, 4096, required: true)
        .Text("state", body.State, 1, 4096, required: true)
        .RedirectUri(body.RedirectUri)
        .ToProblem();

    /// <summary>
    /// Exchanges the code, reads who the account is, and appends <see cref="CalendarConnected"/> with the tokens
    /// sealed. The first sync is queued in the same transaction and runs at once.
    /// </summary>
    [Authorize]
    [ProducesResponseType<CalendarConnectionAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(502, "application/problem+json")]
    [WolverinePost("/v0/calendar/{provider}/connect/complete", OperationId = "completeCalendarConnection")]
    public static async Task<IResult> Post(
        string provider, ConnectCompleteInput body, ClaimsPrincipal caller, CalendarProviders providers, OAuthState states,
        CalendarAccess access, SecretBox secrets, IDocumentStore store, OutboxedSessionFactory sessions, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        if (CalendarProviders.Parse(provider) is not { } kind) return Problems.Result(ConnectRules.UnknownProvider());
        if (providers.Find(kind) is not { } adapter) return Problems.Result(ConnectRules.NotConfigured(kind));
        var userId = caller.UserId();
        var now = clock.GetUtcNow();
        if (states.Check(body.State!, userId, kind, body.RedirectUri!, now) is { } refusal)
            return Problems.Result(Problems.Create(400, "invalid-state", refusal, new Dictionary<string, string[]> { ["state"] = [refusal] }));
        if (await SpendAsync(store, secrets, OAuthState.NonceOf(body.State!)!, userId, now, ct) is not { } verifier)
        {
            const string spent = "The state was already used: start connecting again.";
            return Problems.Result(Problems.Create(400, "invalid-state", spent, new Dictionary<string, string[]> { ["state"] = [spent] }));
        }

        ProviderTokens tokens;
        ProviderAccount account;
        try
        {
            tokens = await adapter.ExchangeCodeAsync(body.Code!, body.RedirectUri!, verifier, ct);
            account = await adapter.AccountAsync(tokens.AccessToken, ct);
        }
        catch (CalendarProviderException e)
        {
            return Problems.Result(Problems.ProviderFailed(e.Message));
        }

        var id = CalendarConnection.StreamId(userId, kind);
        var connection = await ConnectRules.ConnectAsync(sessions, bus, id,
            _ => new CalendarConnected(id, userId, kind, account.Id, account.Email, access.Seal(tokens), now), now, ct);
        return Results.Json(new CalendarConnectionAnswer(true, CalendarStatusJson.Of(kind, connection, configured: true)));
    }

    /// <summary>
    /// Marks the attempt used in its own short transaction, before the code is exchanged (a session of its own: the
    /// exchange is an outbound call and must not run inside a transaction). Null when it is missing, expired, foreign or spent.
    /// </summary>
    private static async Task<string?> SpendAsync(IDocumentStore store, SecretBox secrets, string nonce, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var attempt = await session.LoadAsync<OAuthAttempt>(nonce, ct);
        if (attempt is null || attempt.UsedAt is not null || attempt.UserId != userId || attempt.ExpiresAt <= now) return null;
        attempt.UsedAt = now;
        session.Store(attempt);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (JasperFx.ConcurrencyException)
        {
            return null;   // a racing completion spent it first
        }
        return secrets.Open(attempt.SealedVerifier);
    }
}

public static class DisconnectCalendarEndpoint
{
    /// <summary>Removes the connection; the projection deletes its busy windows in the same transaction.</summary>
    [Authorize]
    [ProducesResponseType<CalendarDisconnectedAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverinePost("/v0/calendar/{provider}/disconnect", OperationId = "disconnectCalendar")]
    public static async Task<IResult> Post(string provider, ClaimsPrincipal caller, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (CalendarProviders.Parse(provider) is not { } kind) return Problems.Result(ConnectRules.UnknownProvider());
        var id = CalendarConnection.StreamId(caller.UserId(), kind);
        var stream = await CalendarConnectionLock.FetchLockedAsync(session, id, ct);
        if (stream.Aggregate is not { IsConnected: true }) return Problems.Result(Problems.NotFound("No connected calendar for this provider."));

        var now = clock.GetUtcNow();
        stream.AppendOne(new CalendarDisconnected(id, now));
        // Writebacks still waiting for this calendar can no longer happen: say so rather than leave them pending.
        var waiting = await session.Query<CalendarWriteback>().Where(w => w.ConnectionId == id && w.Status == WritebackStatus.Pending).ToListAsync(ct);
        foreach (var writeback in waiting)
        {
            (writeback.Status, writeback.LastError, writeback.UpdatedAt) = (WritebackStatus.Failed, "The calendar was disconnected before this booking was written to it.", now);
            session.Store(writeback);
        }
        return Results.Json(new CalendarDisconnectedAnswer(true, provider, true));
    }
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using NodaTime;
using NodaTime.TimeZones;

namespace OpenCalendly.Host.Tests;

/// <summary>A calendar account held by a stand-in: its busy time and the events written to it.</summary>
public sealed class StandInAccount(string id, string email)
{
    public string Id { get; } = id;
    public string Email { get; } = email;
    public ConcurrentDictionary<string, StandInEvent> Events { get; } = new();
    public List<(DateTimeOffset Start, DateTimeOffset End)> Busy { get; } = [];

    /// <summary>When set, this account's free/busy answers wait for it (a sync caught at the provider).</summary>
    public Hold? BusyHold { get; set; }

    /// <summary>When set, event creation for this account waits for it (a writeback caught at the provider).</summary>
    public Hold? CreateHold { get; set; }
}

/// <summary>Holds requests at a stand-in until released, and says when the first one arrived.</summary>
public sealed class Hold
{
    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Arrived => _arrived.Task;

    public void Release() => _released.TrySetResult();

    public Task PassAsync()
    {
        _arrived.TrySetResult();
        return _released.Task;
    }
}

/// <param name="AttendeesVisible">Whether attendees may see each other (Google's guestsCanSeeOtherGuests, Graph's inverted hideAttendees).</param>
public sealed record StandInEvent(
    string Id, string Subject, DateTimeOffset Start, DateTimeOffset End, IReadOnlyList<string> Attendees, string? TransactionId, bool AttendeesVisible = true)
{
    public string? AttendeeEmail => Attendees.FirstOrDefault();
}

/// <summary>
/// What both providers' stand-ins share: an OAuth 2.0 token endpoint (authorization-code and refresh grants,
/// RFC 6749 form posts with the client's id and secret), bearer-token checks, and failure switches.
/// </summary>
public abstract class OAuthStandIn : IAsyncDisposable
{
    public const string ClientId = "stand-in-client-id";
    public const string ClientSecret = "stand-in-client-secret";

    private readonly ConcurrentDictionary<string, (StandInAccount Account, string RedirectUri, string? Challenge)> _codes = new();
    private readonly ConcurrentDictionary<string, (StandInAccount Account, DateTimeOffset ExpiresAt)> _accessTokens = new();
    private readonly ConcurrentDictionary<string, StandInAccount> _refreshTokens = new();
    private WebApplication _app = null!;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Every request: method and path, and the status it was answered with.</summary>
    public ConcurrentQueue<(string Method, string Path, int Status)> Requests { get; } = new();

    /// <summary>When set, every calendar API call (not the token endpoint) answers this status.</summary>
    public int? FailApiWith { get; set; }

    public int RefreshGrants => _refreshGrants;
    private int _refreshGrants;

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Every access and refresh token this provider handed out.</summary>
    public ConcurrentQueue<string> IssuedTokens { get; } = new();

    protected async Task StartAsync(Action<WebApplication> map)
    {
        (_app, BaseUrl) = await LocalServer.StartAsync(app =>
        {
            app.Use(async (http, next) =>
            {
                await next(http);
                Requests.Enqueue((http.Request.Method, http.Request.Path + http.Request.QueryString, http.Response.StatusCode));
            });
            map(app);
        });
    }

    public StandInAccount NewAccount(string? email = null)
    {
        var id = Guid.NewGuid().ToString("N");
        return new StandInAccount(id, email ?? $"owner-{id[..8]}@calendar.test");
    }

    /// <summary>
    /// What the provider's consent page would hand the browser after the organizer said yes. With a PKCE challenge
    /// (RFC 7636, S256) the token endpoint then wants the matching verifier, as Google's and Microsoft's do.
    /// </summary>
    public string IssueCode(StandInAccount account, string redirectUri, string? codeChallenge = null)
    {
        var code = "code-" + Guid.NewGuid().ToString("N");
        _codes[code] = (account, redirectUri, codeChallenge);
        return code;
    }

    /// <summary>The code for the consent that <paramref name="authUrl"/> (the host's answer to connect/start) asks for.</summary>
    public string IssueCodeFor(StandInAccount account, string authUrl)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(authUrl).Query);
        if (query["code_challenge_method"] != "S256") throw new InvalidOperationException("The authorization URL asks for no S256 PKCE challenge.");
        return IssueCode(account, query["redirect_uri"].ToString(), query["code_challenge"].ToString());
    }

    /// <summary>The account the consent page signs in as when a browser arrives (a fresh one if unset).</summary>
    public StandInAccount? ConsentingAccount { get; set; }

    /// <summary>
    /// The authorization endpoint as a browser meets it: the organizer "agrees" at once, and the browser is sent
    /// back to <c>redirect_uri</c> with a code and the untouched <c>state</c>.
    /// </summary>
    protected IResult Consent(HttpRequest request)
    {
        var query = request.Query;
        if (query["client_id"] != ClientId || query["response_type"] != "code" || string.IsNullOrEmpty(query["redirect_uri"]))
            return Results.BadRequest("invalid_request");
        var redirect = query["redirect_uri"].ToString();
        var code = IssueCode(ConsentingAccount ??= NewAccount(), redirect,
            query["code_challenge_method"] == "S256" ? query["code_challenge"].ToString() : null);
        return Results.Redirect($"{redirect}?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(query["state"].ToString())}");
    }

    /// <summary>Every access token stops working (as if expired early or revoked): the next call gets 401.</summary>
    public void ExpireAccessTokens() => _accessTokens.Clear();

    /// <summary>Every refresh token is revoked: refresh grants answer <c>invalid_grant</c>.</summary>
    public void RevokeRefreshTokens() => _refreshTokens.Clear();

    protected async Task<IResult> Token(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        if (form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
            return Results.Json(new { error = "invalid_client", error_description = "Unknown client or wrong secret." }, statusCode: 401);
        StandInAccount account;
        switch (form["grant_type"].ToString())
        {
            case "authorization_code":
                if (!_codes.TryRemove(form["code"].ToString(), out var issued) || issued.RedirectUri != form["redirect_uri"])
                    return InvalidGrant("The code is invalid, used, or was issued for another redirect URI.");
                if (issued.Challenge is { } challenge && challenge != Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(
                        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))))
                    return InvalidGrant("PKCE verification failed: the code_verifier does not match the code_challenge.");
                account = issued.Account;
                break;
            case "refresh_token":
                if (!_refreshTokens.TryGetValue(form["refresh_token"].ToString(), out account!))
                    return InvalidGrant("Token has been expired or revoked.");
                Interlocked.Increment(ref _refreshGrants);
                break;
            default:
                return Results.Json(new { error = "unsupported_grant_type" }, statusCode: 400);
        }
        var access = "at-" + Guid.NewGuid().ToString("N");
        var refresh = "rt-" + Guid.NewGuid().ToString("N");
        _accessTokens[access] = (account, DateTimeOffset.UtcNow + AccessTokenLifetime);
        _refreshTokens[refresh] = account;
        IssuedTokens.Enqueue(access);
        IssuedTokens.Enqueue(refresh);
        return Results.Json(new
        {
            access_token = access, token_type = "Bearer", expires_in = (int)AccessTokenLifetime.TotalSeconds, refresh_token = refresh, scope = form["scope"].ToString(),
        });
    }

    private static IResult InvalidGrant(string description) =>
        Results.Json(new { error = "invalid_grant", error_description = description }, statusCode: 400);

    /// <summary>The account behind the request's bearer token, or null (answer 401).</summary>
    protected StandInAccount? Caller(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && _accessTokens.TryGetValue(header[7..], out var token) && token.ExpiresAt > DateTimeOffset.UtcNow
            ? token.Account : null;
    }

    public IReadOnlyList<StandInEvent> EventsOf(StandInAccount account) => [.. account.Events.Values];

    /// <summary>Waits until <paramref name="done"/> holds for the account's events.</summary>
    public static async Task<IReadOnlyList<StandInEvent>> WaitFor(StandInAccount account, Func<IReadOnlyList<StandInEvent>, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (DateTime.UtcNow < deadline)
        {
            var events = account.Events.Values.ToList();
            if (done(events)) return events;
            await Task.Delay(100);
        }
        return [.. account.Events.Values];
    }

    protected static IEnumerable<(DateTimeOffset Start, DateTimeOffset End)> BusyIn(StandInAccount account, DateTimeOffset from, DateTimeOffset to)
    {
        lock (account.Busy)
            return [.. account.Busy.Where(b => b.End > from && b.Start < to).Select(b => (b.Start < from ? from : b.Start, b.End > to ? to : b.End))];
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>
/// Google on 127.0.0.1: <c>POST /token</c>, and Calendar API v3 — <c>GET calendars/primary</c>, <c>POST freeBusy</c>,
/// <c>events</c> insert (client-chosen id, 409 on a duplicate), patch and delete (410 when already deleted).
/// Bodies are checked for the fields Google requires.
/// </summary>
public sealed class GoogleStandIn : OAuthStandIn
{
    private readonly ConcurrentDictionary<string, StandInAccount> _byEvent = new();

    public string AuthorizeUrl => BaseUrl + "/o/oauth2/v2/auth";

    public static async Task<GoogleStandIn> StartAsync()
    {
        var standIn = new GoogleStandIn();
        await standIn.StartAsync(app =>
        {
            app.MapPost("/token", standIn.Token);
            app.MapGet("/o/oauth2/v2/auth", standIn.Consent);
            app.MapGet("/calendar/v3/calendars/primary", (HttpRequest request) => standIn.Api(request, account =>
                Results.Json(new { kind = "calendar#calendar", id = account.Email, summary = account.Email, timeZone = "America/New_York" })));
            app.MapPost("/calendar/v3/freeBusy", async (HttpRequest request) =>
            {
                var body = await JsonNode.ParseAsync(request.Body);
                if (standIn.Caller(request) is { BusyHold: { } hold }) await hold.PassAsync().WaitAsync(TimeSpan.FromSeconds(30));
                return standIn.Api(request, account =>
                {
                    if (body?["timeMin"] is null || body["timeMax"] is null || body["items"]?.AsArray().Count is not > 0)
                        return Error(400, "Missing timeMin, timeMax or items.");
                    var (from, to) = (DateTimeOffset.Parse(body["timeMin"]!.GetValue<string>(), CultureInfo.InvariantCulture), DateTimeOffset.Parse(body["timeMax"]!.GetValue<string>(), CultureInfo.InvariantCulture));
                    var busy = BusyIn(account, from, to).Select(b => new { start = b.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"), end = b.End.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") });
                    return Results.Json(new { kind = "calendar#freeBusy", timeMin = body["timeMin"]!.GetValue<string>(), timeMax = body["timeMax"]!.GetValue<string>(), calendars = new Dictionary<string, object> { ["primary"] = new { busy } } });
                });
            });
            app.MapPost("/calendar/v3/calendars/primary/events", async (HttpRequest request) =>
            {
                var body = await JsonNode.ParseAsync(request.Body);
                if (standIn.Caller(request) is { CreateHold: { } hold }) await hold.PassAsync().WaitAsync(TimeSpan.FromSeconds(30));
                return standIn.Api(request, account =>
                {
                    if (body?["summary"] is null || body["start"]?["dateTime"] is null || body["end"]?["dateTime"] is null) return Error(400, "Missing summary, start or end.");
                    var id = body["id"]?.GetValue<string>() ?? Guid.NewGuid().ToString("N");
                    if (id.Length < 5 || id.Any(c => !(char.IsAsciiDigit(c) || c is >= 'a' and <= 'v'))) return Error(400, "Invalid resource id value.");
                    var created = Read(id, body);
                    if (!account.Events.TryAdd(id, created)) return Error(409, "The requested identifier already exists.");
                    standIn._byEvent[id] = account;
                    return Results.Json(new { kind = "calendar#event", id, status = "confirmed", summary = created.Subject });
                });
            });
            app.MapMethods("/calendar/v3/calendars/primary/events/{id}", ["PATCH"], async (string id, HttpRequest request) =>
            {
                var body = await JsonNode.ParseAsync(request.Body);
                return standIn.Api(request, account =>
                {
                    if (!account.Events.TryGetValue(id, out var existing)) return Error(404, "Not Found");
                    account.Events[id] = Read(id, body, existing);
                    return Results.Json(new { kind = "calendar#event", id, status = "confirmed" });
                });
            });
            app.MapDelete("/calendar/v3/calendars/primary/events/{id}", (string id, HttpRequest request) => standIn.Api(request, account =>
                account.Events.TryRemove(id, out _) ? Results.NoContent() : Error(410, "Resource has been deleted")));
        });
        return standIn;
    }

    private IResult Api(HttpRequest request, Func<StandInAccount, IResult> answer)
    {
        if (FailApiWith is { } status) return Error(status, "Backend Error");
        return Caller(request) is { } account ? answer(account) : Error(401, "Request had invalid authentication credentials.");
    }

    private static StandInEvent Read(string id, JsonNode? body, StandInEvent? existing = null) => new(
        id,
        body?["summary"]?.GetValue<string>() ?? existing?.Subject ?? "",
        body?["start"]?["dateTime"] is { } s ? DateTimeOffset.Parse(s.GetValue<string>(), CultureInfo.InvariantCulture) : existing!.Start,
        body?["end"]?["dateTime"] is { } e ? DateTimeOffset.Parse(e.GetValue<string>(), CultureInfo.InvariantCulture) : existing!.End,
        body?["attendees"] is JsonArray attendees ? [.. attendees.Select(a => a!["email"]!.GetValue<string>())] : existing?.Attendees ?? [],
        null,
        body?["guestsCanSeeOtherGuests"]?.GetValue<bool>() ?? existing?.AttendeesVisible ?? true);

    private static IResult Error(int status, string message) =>
        Results.Json(new { error = new { code = status, message, errors = new[] { new { domain = "global", reason = "backendError", message } } } }, statusCode: status);
}

/// <summary>
/// Microsoft on 127.0.0.1: the identity platform's <c>/common/oauth2/v2.0/token</c> and Graph v1.0 — <c>GET /me</c>,
/// <c>POST /me/calendar/getSchedule</c> (items in <see cref="ScheduleZone"/>, a Windows zone name if set),
/// <c>/me/events</c> create (de-duplicated by <c>transactionId</c>), patch and delete.
/// </summary>
public sealed class GraphStandIn : OAuthStandIn
{
    public string AuthorityUrl => BaseUrl + "/common";
    public string GraphBaseUrl => BaseUrl + "/v1.0";

    /// <summary>The zone getSchedule answers in: Graph may answer in a Windows zone, which the adapter must map.</summary>
    public string ScheduleZone { get; set; } = "UTC";

    public static async Task<GraphStandIn> StartAsync()
    {
        var standIn = new GraphStandIn();
        await standIn.StartAsync(app =>
        {
            app.MapPost("/common/oauth2/v2.0/token", standIn.Token);
            app.MapGet("/v1.0/me", (HttpRequest request) => standIn.Api(request, account =>
                Results.Json(new Dictionary<string, object?> { ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#users/$entity", ["id"] = account.Id, ["mail"] = account.Email, ["userPrincipalName"] = account.Email })));
            app.MapPost("/v1.0/me/calendar/getSchedule", async (HttpRequest request) =>
            {
                var body = await JsonNode.ParseAsync(request.Body);
                return standIn.Api(request, account =>
                {
                    // Graph reads action parameters case-insensitively: the SDK sends "Schedules", the docs show "schedules".
                    var (schedules, startTime, endTime) = (Property(body, "schedules"), Property(body, "startTime"), Property(body, "endTime"));
                    if (schedules?[0]?.GetValue<string>() != account.Email || startTime?["dateTime"] is null || endTime?["dateTime"] is null)
                        return Error(400, "ErrorInvalidRequest", "schedules, startTime and endTime are required.");
                    var from = InUtc(startTime); var to = InUtc(endTime);
                    var zone = Zone(standIn.ScheduleZone);
                    var items = BusyIn(account, from, to).Select(b => new
                    {
                        isPrivate = false, status = "busy", subject = "Busy",
                        start = new { dateTime = Local(b.Start, zone), timeZone = standIn.ScheduleZone },
                        end = new { dateTime = Local(b.End, zone), timeZone = standIn.ScheduleZone },
                    }).ToList();
                    return Results.Json(new { value = new[] { new { scheduleId = account.Email, availabilityView = "", scheduleItems = items } } });
                });
            });
            app.MapPost("/v1.0/me/events", async (HttpRequest request) =>
            {
                var body = await JsonNode.ParseAsync(request.Body);
                return standIn.Api(request, account =>
                {
                    if (body?["subject"] is null || body["start"]?["dateTime"] is null || body["end"]?["dateTime"] is null)
                        return Error(400, "ErrorInvalidRequest", "subject, start and end are required.");
                    var transactionId = body["transactionId"]?.GetValue<string>();
                    if (transactionId is not null && account.Events.Values.FirstOrDefault(e => e.TransactionId == transactionId) is { } existing)
                        return Results.Json(new { id = existing.Id, subject = existing.Subject }, statusCode: 201);
                    var id = "AAMk" + Guid.NewGuid().ToString("N");
                    account.Events[id] = new StandInEvent(id, body["subject"]!.GetValue<string>(), InUtc(body["start"]!), InUtc(body["end"]!),
                        GraphAttendees(body) ?? [], transactionId, !(body["hideAttendees"]?.GetValue<bool>() ?? false));
                    return Results.Json(new { id, subject = body["subject"]!.GetValue<string>() }, statusCode: 201);
                });
            });
            app.MapMethods("/v1.0/me/events/{id}", ["PATCH"], async (string id, HttpRequest request) =>
            {
                var body = await JsonNode.ParseAsync(request.Body);
                return standIn.Api(request, account =>
                {
                    if (!account.Events.TryGetValue(id, out var existing)) return Error(404, "ErrorItemNotFound", "The specified object was not found in the store.");
                    account.Events[id] = existing with
                    {
                        Subject = body?["subject"]?.GetValue<string>() ?? existing.Subject,
                        Start = body?["start"] is { } s ? InUtc(s) : existing.Start,
                        End = body?["end"] is { } e ? InUtc(e) : existing.End,
                        Attendees = GraphAttendees(body) ?? existing.Attendees,
                        AttendeesVisible = body?["hideAttendees"] is { } hide ? !hide.GetValue<bool>() : existing.AttendeesVisible,
                    };
                    return Results.Json(new { id });
                });
            });
            app.MapDelete("/v1.0/me/events/{id}", (string id, HttpRequest request) => standIn.Api(request, account =>
                account.Events.TryRemove(id, out _) ? Results.NoContent() : Error(404, "ErrorItemNotFound", "The specified object was not found in the store.")));
        });
        return standIn;
    }

    private IResult Api(HttpRequest request, Func<StandInAccount, IResult> answer)
    {
        if (FailApiWith is { } status) return Error(status, "generalException", "General server error.");
        return Caller(request) is { } account ? answer(account) : Error(401, "InvalidAuthenticationToken", "Access token has expired or is not yet valid.");
    }

    private static JsonNode? Property(JsonNode? body, string name) =>
        body is JsonObject o ? o.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Value : null;

    private static DateTimeZone Zone(string name) =>
        name == "UTC" ? DateTimeZone.Utc : DateTimeZoneProviders.Tzdb[TzdbDateTimeZoneSource.Default.WindowsMapping.PrimaryMapping[name]];

    private static string Local(DateTimeOffset instant, DateTimeZone zone) =>
        Instant.FromDateTimeOffset(instant).InZone(zone).LocalDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'.0000000'", CultureInfo.InvariantCulture);

    private static IReadOnlyList<string>? GraphAttendees(JsonNode? body) =>
        body?["attendees"] is JsonArray attendees ? [.. attendees.Select(a => a!["emailAddress"]!["address"]!.GetValue<string>())] : null;

    private static DateTimeOffset InUtc(JsonNode time)
    {
        time["timeZone"]?.GetValue<string>().ShouldBe("UTC");
        return new DateTimeOffset(DateTime.Parse(time["dateTime"]!.GetValue<string>(), CultureInfo.InvariantCulture), TimeSpan.Zero);
    }

    private static IResult Error(int status, string code, string message) =>
        Results.Json(new { error = new { code, message, innerError = new { date = DateTime.UtcNow, requestId = Guid.NewGuid() } } }, statusCode: status);
}

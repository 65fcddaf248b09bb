using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Google.Apis.Auth.OAuth2.Requests;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Integrations.Calendars;

/// <summary>Section <c>Calendar:Google</c>; the URLs default to Google's own.</summary>
public sealed record GoogleCalendarOptions(
    string ClientId, string ClientSecret,
    string AuthorizeUrl = "https://accounts.google.com/o/oauth2/v2/auth",
    string TokenUrl = "https://oauth2.googleapis.com/token",
    string ApiBaseUrl = "https://www.googleapis.com");

/// <summary>
/// Google Calendar API v3 over REST with a typed HttpClient (Google.Apis.Calendar.v3 is not on our
/// registry): <c>calendars/primary</c> for the account, <c>freeBusy</c> for sync, <c>events</c> insert / patch /
/// delete for writeback. Events get an id derived from the booking chain, so a retried insert finds its
/// own event (409) instead of adding a second one.
/// </summary>
public sealed class GoogleCalendar(GoogleCalendarOptions options, IHttpClientFactory http, TimeProvider clock) : ICalendarProvider, IDisposable
{
    public const string ClientName = "google-calendar";

    public static readonly string[] Scopes =
        ["openid", "email", "https://www.googleapis.com/auth/calendar.readonly", "https://www.googleapis.com/auth/calendar.events"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly OAuthClient _oauth = new(options.AuthorizeUrl, options.TokenUrl, options.ClientId, options.ClientSecret, Scopes, TimeSpan.FromSeconds(15));

    public CalendarProvider Kind => CalendarProvider.Google;

    public Uri AuthorizationUrl(string redirectUri, string state, string codeChallenge) =>
        new GoogleAuthorizationCodeRequestUrl(new Uri(options.AuthorizeUrl))
        {
            ClientId = options.ClientId, RedirectUri = redirectUri, Scope = _oauth.Scope, State = state,
            CodeChallenge = codeChallenge, CodeChallengeMethod = "S256",
            // A refresh token every time, so a reconnect after invalid_grant works.
            AccessType = "offline", Prompt = "consent", IncludeGrantedScopes = "true",
        }.Build();

    public Task<ProviderTokens> ExchangeCodeAsync(string code, string redirectUri, string codeVerifier, CancellationToken ct) =>
        _oauth.ExchangeCodeAsync(code, redirectUri, codeVerifier, clock.GetUtcNow(), ct);

    public Task<ProviderTokens> RefreshAsync(string refreshToken, CancellationToken ct) =>
        _oauth.RefreshAsync(refreshToken, clock.GetUtcNow(), ct);

    public async Task<ProviderAccount> AccountAsync(string accessToken, CancellationToken ct)
    {
        // The primary calendar's id is the account's address.
        var calendar = await Send<PrimaryCalendar>(HttpMethod.Get, "calendar/v3/calendars/primary", accessToken, null, ct);
        if (string.IsNullOrEmpty(calendar?.Id)) throw new CalendarProviderException(ProviderFailure.Upstream, "Google returned no primary calendar.");
        return new ProviderAccount(calendar.Id, calendar.Id.Contains('@') ? calendar.Id : null);
    }

    public async Task<IReadOnlyList<BusyWindow>> BusyAsync(string accessToken, ProviderAccount account, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var answer = await Send<FreeBusyResponse>(HttpMethod.Post, "calendar/v3/freeBusy", accessToken,
            new FreeBusyRequest(from.UtcDateTime, to.UtcDateTime, [new FreeBusyItem("primary")]), ct);
        if (answer?.Calendars is null || !answer.Calendars.TryGetValue("primary", out var primary))
            throw new CalendarProviderException(ProviderFailure.Upstream, "Google's free/busy answer has no primary calendar.");
        if (primary.Errors is { Count: > 0 } errors)
            throw new CalendarProviderException(ProviderFailure.Upstream, $"Google could not read the calendar's free/busy ({errors[0].Reason}).");
        return [.. (primary.Busy ?? []).Select(b => new BusyWindow(b.Start, b.End))];
    }

    public async Task<string> CreateEventAsync(string accessToken, CalendarEventSpec spec, CancellationToken ct)
    {
        var id = EventId(spec.ChainKey);
        try
        {
            await Send<GoogleEvent>(HttpMethod.Post, "calendar/v3/calendars/primary/events?sendUpdates=none", accessToken, Body(spec) with { Id = id }, ct);
        }
        catch (CalendarProviderException e) when (e.Status == 409)
        {
            // Created by an earlier attempt whose answer was lost: bring it up to date instead.
            await UpdateEventAsync(accessToken, id, spec, ct);
        }
        return id;
    }

    public async Task UpdateEventAsync(string accessToken, string eventId, CalendarEventSpec spec, CancellationToken ct) =>
        await Send<GoogleEvent>(HttpMethod.Patch, $"calendar/v3/calendars/primary/events/{Uri.EscapeDataString(eventId)}?sendUpdates=none", accessToken, Body(spec), ct);

    public async Task DeleteEventAsync(string accessToken, string eventId, CancellationToken ct)
    {
        try
        {
            await Send<object>(HttpMethod.Delete, $"calendar/v3/calendars/primary/events/{Uri.EscapeDataString(eventId)}?sendUpdates=none", accessToken, null, ct);
        }
        catch (CalendarProviderException e) when (e.Status is 404 or 410)
        {
            // Already gone (deleted by us earlier, or by the organizer).
        }
    }

    /// <summary>Google event ids are 5–1024 characters of base32hex (0-9, a-v): a hex digest of the chain key is one.</summary>
    public static string EventId(string chainKey) =>
        "oc0" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(chainKey)))[..40];

    /// <remarks>
    /// The status is always sent: a seated slot's event deleted with its last seat keeps its id at Google (as cancelled), and a
    /// new first seat revives it through the 409 path of <see cref="CreateEventAsync"/>.
    /// </remarks>
    private static GoogleEvent Body(CalendarEventSpec spec) => new(
        null, spec.Title, spec.Description, spec.Location,
        new GoogleTime(spec.StartsAt.UtcDateTime, "UTC"), new GoogleTime(spec.EndsAt.UtcDateTime, "UTC"),
        [.. spec.Attendees.Select(a => new GoogleAttendee(a.Email, a.Name))], spec.AttendeesSeeEachOther, "confirmed");

    private async Task<T?> Send<T>(HttpMethod method, string path, string accessToken, object? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(new Uri(options.ApiBaseUrl.TrimEnd('/') + "/"), path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        HttpResponseMessage response;
        try
        {
            response = await http.CreateClient(ClientName).SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            throw new CalendarProviderException(ProviderFailure.Upstream, "Google Calendar could not be reached.", null, e);
        }
        using (response)
        {
            if (response.IsSuccessStatusCode)
                return response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0
                    ? default
                    : await response.Content.ReadFromJsonAsync<T>(Json, ct);
            var status = (int)response.StatusCode;
            var message = await ErrorMessage(response, ct);
            throw new CalendarProviderException(status == 401 ? ProviderFailure.Unauthorized : ProviderFailure.Upstream,
                $"Google Calendar answered {status}{(message is null ? "" : ": " + message)}.", status);
        }
    }

    private static async Task<string?> ErrorMessage(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var error = await response.Content.ReadFromJsonAsync<GoogleErrorBody>(Json, ct);
            return error?.Error?.Message is { Length: > 0 } m ? (m.Length > 200 ? m[..200] : m).TrimEnd('.') : null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    public void Dispose() => _oauth.Dispose();

    private sealed record PrimaryCalendar(string? Id, string? TimeZone);
    private sealed record FreeBusyRequest(DateTime TimeMin, DateTime TimeMax, IReadOnlyList<FreeBusyItem> Items);
    private sealed record FreeBusyItem(string Id);
    private sealed record FreeBusyResponse(Dictionary<string, FreeBusyCalendar>? Calendars);
    private sealed record FreeBusyCalendar(List<FreeBusyPeriod>? Busy, List<FreeBusyError>? Errors);
    private sealed record FreeBusyPeriod(DateTimeOffset Start, DateTimeOffset End);
    private sealed record FreeBusyError(string? Domain, string? Reason);
    private sealed record GoogleEvent(
        string? Id, string? Summary, string? Description, string? Location, GoogleTime? Start, GoogleTime? End, IReadOnlyList<GoogleAttendee>? Attendees,
        bool? GuestsCanSeeOtherGuests = null, string? Status = null);
    private sealed record GoogleTime(DateTime DateTime, string TimeZone);
    private sealed record GoogleAttendee(string Email, string? DisplayName);
    private sealed record GoogleErrorBody(GoogleError? Error);
    private sealed record GoogleError(int Code, string? Message);
}

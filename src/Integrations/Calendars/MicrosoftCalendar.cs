using System.Globalization;
using Google.Apis.Auth.OAuth2.Requests;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using NodaTime;
using NodaTime.TimeZones;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Integrations.Calendars;

/// <summary>Section <c>Calendar:Microsoft</c>; the URLs default to Microsoft's own (multi-tenant authority).</summary>
public sealed record MicrosoftCalendarOptions(
    string ClientId, string ClientSecret,
    string AuthorityUrl = "https://login.microsoftonline.com/common",
    string GraphBaseUrl = "https://graph.microsoft.com/v1.0");

/// <summary>
/// Microsoft identity platform v2 for tokens and the Microsoft Graph SDK for <c>me</c>,
/// <c>calendar/getSchedule</c> and <c>events</c>. Graph answers times as a wall-clock time plus a zone that may
/// be a Windows name ("Pacific Standard Time"); those are mapped to IANA with NodaTime's CLDR table.
/// </summary>
public sealed class MicrosoftCalendar(MicrosoftCalendarOptions options, IHttpClientFactory http, TimeProvider clock) : ICalendarProvider, IDisposable
{
    public const string ClientName = "microsoft-graph";

    public static readonly string[] Scopes = ["openid", "email", "offline_access", "User.Read", "Calendars.ReadWrite"];

    private readonly OAuthClient _oauth = new(
        options.AuthorityUrl.TrimEnd('/') + "/oauth2/v2.0/authorize", options.AuthorityUrl.TrimEnd('/') + "/oauth2/v2.0/token",
        options.ClientId, options.ClientSecret, Scopes, TimeSpan.FromSeconds(15));

    public CalendarProvider Kind => CalendarProvider.Microsoft;

    /// <remarks>Google.Apis.Auth's generic request URL has no PKCE fields (its Google one does): the two are appended.</remarks>
    public Uri AuthorizationUrl(string redirectUri, string state, string codeChallenge) =>
        new(new AuthorizationCodeRequestUrl(new Uri(options.AuthorityUrl.TrimEnd('/') + "/oauth2/v2.0/authorize"))
            {
                ClientId = options.ClientId, RedirectUri = redirectUri, Scope = _oauth.Scope, State = state,
            }.Build().AbsoluteUri + $"&code_challenge={Uri.EscapeDataString(codeChallenge)}&code_challenge_method=S256");

    public Task<ProviderTokens> ExchangeCodeAsync(string code, string redirectUri, string codeVerifier, CancellationToken ct) =>
        _oauth.ExchangeCodeAsync(code, redirectUri, codeVerifier, clock.GetUtcNow(), ct);

    public Task<ProviderTokens> RefreshAsync(string refreshToken, CancellationToken ct) =>
        _oauth.RefreshAsync(refreshToken, clock.GetUtcNow(), ct);

    public Task<ProviderAccount> AccountAsync(string accessToken, CancellationToken ct) => Call(accessToken, async graph =>
    {
        var me = await graph.Me.GetAsync(r => r.QueryParameters.Select = ["id", "mail", "userPrincipalName"], ct);
        if (string.IsNullOrEmpty(me?.Id)) throw new CalendarProviderException(ProviderFailure.Upstream, "Microsoft Graph returned no account id.");
        return new ProviderAccount(me.Id, me.Mail ?? me.UserPrincipalName);
    });

    public Task<IReadOnlyList<BusyWindow>> BusyAsync(string accessToken, ProviderAccount account, DateTimeOffset from, DateTimeOffset to, CancellationToken ct) =>
        Call<IReadOnlyList<BusyWindow>>(accessToken, async graph =>
        {
            if (account.Email is null) throw new CalendarProviderException(ProviderFailure.Upstream, "The Microsoft account has no address to read the schedule of.");
            var answer = await graph.Me.Calendar.GetSchedule.PostAsGetSchedulePostResponseAsync(new()
            {
                Schedules = [account.Email], StartTime = GraphTime(from), EndTime = GraphTime(to), AvailabilityViewInterval = 15,
            }, cancellationToken: ct);
            var schedule = answer?.Value?.FirstOrDefault()
                ?? throw new CalendarProviderException(ProviderFailure.Upstream, "Microsoft Graph returned no schedule.");
            if (schedule.Error?.Message is { Length: > 0 } error)
                throw new CalendarProviderException(ProviderFailure.Upstream, $"Microsoft Graph could not read the schedule: {error}");
            return [.. (schedule.ScheduleItems ?? [])
                .Where(item => item.Status is not (FreeBusyStatus.Free or FreeBusyStatus.WorkingElsewhere or null))
                .Select(item => new BusyWindow(ToInstant(item.Start), ToInstant(item.End)))];
        });

    public Task<string> CreateEventAsync(string accessToken, CalendarEventSpec spec, CancellationToken ct) => Call(accessToken, async graph =>
    {
        var body = Body(spec);
        // Graph de-duplicates creates with the same transactionId, so a retried create can't add a second event.
        body.TransactionId = spec.ChainKey;
        var created = await graph.Me.Events.PostAsync(body, cancellationToken: ct);
        return created?.Id is { Length: > 0 } id ? id : throw new CalendarProviderException(ProviderFailure.Upstream, "Microsoft Graph returned no event id.");
    });

    public Task UpdateEventAsync(string accessToken, string eventId, CalendarEventSpec spec, CancellationToken ct) => Call(accessToken, async graph =>
    {
        await graph.Me.Events[eventId].PatchAsync(Body(spec), cancellationToken: ct);
        return true;
    });

    public Task DeleteEventAsync(string accessToken, string eventId, CancellationToken ct) => Call(accessToken, async graph =>
    {
        try
        {
            await graph.Me.Events[eventId].DeleteAsync(cancellationToken: ct);
        }
        catch (ApiException e) when (e.ResponseStatusCode is 404 or 410)
        {
            // Already gone.
        }
        return true;
    });

    /// <summary>A Graph time (local wall-clock time in an IANA or Windows zone) as an instant; ambiguous times take the earlier offset.</summary>
    public static DateTimeOffset ToInstant(DateTimeTimeZone? value)
    {
        if (value?.DateTime is not { } text || !System.DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
            throw new CalendarProviderException(ProviderFailure.Upstream, "Microsoft Graph returned a time that cannot be read.");
        var zone = Zone(value.TimeZone)
            ?? throw new CalendarProviderException(ProviderFailure.Upstream, $"Microsoft Graph returned an unknown time zone '{value.TimeZone}'.");
        var local = LocalDateTime.FromDateTime(System.DateTime.SpecifyKind(parsed, DateTimeKind.Unspecified));
        return local.InZone(zone, Resolvers.LenientResolver).ToDateTimeOffset().ToUniversalTime();
    }

    private static DateTimeZone? Zone(string? name)
    {
        if (string.IsNullOrEmpty(name) || name is "UTC" or "Etc/UTC" or "Coordinated Universal Time") return DateTimeZone.Utc;
        if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(name) is { } iana) return iana;
        return TzdbDateTimeZoneSource.Default.WindowsMapping.PrimaryMapping.TryGetValue(name, out var mapped)
            ? DateTimeZoneProviders.Tzdb.GetZoneOrNull(mapped) : null;
    }

    private static DateTimeTimeZone GraphTime(DateTimeOffset instant) =>
        new() { DateTime = instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture), TimeZone = "UTC" };

    private static Event Body(CalendarEventSpec spec) => new()
    {
        Subject = spec.Title,
        Body = new ItemBody { ContentType = BodyType.Text, Content = spec.Description },
        Start = GraphTime(spec.StartsAt),
        End = GraphTime(spec.EndsAt),
        Location = spec.Location is null ? null : new Location { DisplayName = spec.Location },
        Attendees = [.. spec.Attendees.Select(a => new Attendee { Type = AttendeeType.Required, EmailAddress = new EmailAddress { Address = a.Email, Name = a.Name } })],
        HideAttendees = !spec.AttendeesSeeEachOther,
    };

    private async Task<T> Call<T>(string accessToken, Func<GraphServiceClient, Task<T>> call)
    {
        var graph = new GraphServiceClient(http.CreateClient(ClientName), new BearerToken(accessToken), options.GraphBaseUrl.TrimEnd('/'));
        try
        {
            return await call(graph);
        }
        catch (ApiException e)
        {
            var detail = (e as ODataError)?.Error?.Message is { Length: > 0 } m ? ": " + (m.Length > 200 ? m[..200] : m).TrimEnd('.') : "";
            throw new CalendarProviderException(e.ResponseStatusCode == 401 ? ProviderFailure.Unauthorized : ProviderFailure.Upstream,
                $"Microsoft Graph answered {e.ResponseStatusCode}{detail}.", e.ResponseStatusCode, e);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            throw new CalendarProviderException(ProviderFailure.Upstream, "Microsoft Graph could not be reached.", null, e);
        }
    }

    public void Dispose() => _oauth.Dispose();

    /// <summary>Puts the connection's access token on each Graph request.</summary>
    private sealed class BearerToken(string accessToken) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? context = null, CancellationToken ct = default)
        {
            request.Headers.Add("Authorization", $"Bearer {accessToken}");
            return Task.CompletedTask;
        }
    }
}

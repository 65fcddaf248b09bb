using System.Net;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Flows;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;

namespace OpenCalendly.Integrations.Calendars;

/// <summary>
/// The OAuth 2.0 authorization-code and refresh grants, through Google.Apis.Auth's standard flow (it speaks
/// RFC 6749 to any token endpoint, so Microsoft's identity platform uses it too). No token store: tokens
/// live, sealed, in the connection's events.
/// </summary>
public sealed class OAuthClient : IDisposable
{
    private readonly AuthorizationCodeFlow _flow;

    public OAuthClient(string authorizeUrl, string tokenUrl, string clientId, string clientSecret, IEnumerable<string> scopes, TimeSpan timeout)
    {
        _flow = new AuthorizationCodeFlow(new AuthorizationCodeFlow.Initializer(authorizeUrl, tokenUrl)
        {
            ClientSecrets = new ClientSecrets { ClientId = clientId, ClientSecret = clientSecret },
            Scopes = [.. scopes],
            // Our own retries (durable, bounded) decide when to try again.
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        });
        _flow.HttpClient.Timeout = timeout;
    }

    public string ClientId => _flow.ClientSecrets.ClientId;

    public string Scope => string.Join(' ', _flow.Scopes);

    public Task<ProviderTokens> ExchangeCodeAsync(string code, string redirectUri, string codeVerifier, DateTimeOffset now, CancellationToken ct) =>
        Call(() => _flow.FetchTokenAsync("connection",
            new Google.Apis.Auth.OAuth2.Requests.AuthorizationCodeTokenRequest
            {
                Code = code, RedirectUri = redirectUri, CodeVerifier = codeVerifier, Scope = Scope,
            }, ct), now);

    public Task<ProviderTokens> RefreshAsync(string refreshToken, DateTimeOffset now, CancellationToken ct) =>
        Call(() => _flow.RefreshTokenAsync("connection", refreshToken, ct), now);

    private static async Task<ProviderTokens> Call(Func<Task<TokenResponse>> grant, DateTimeOffset now)
    {
        try
        {
            var token = await grant();
            if (string.IsNullOrEmpty(token.AccessToken)) throw new CalendarProviderException(ProviderFailure.Upstream, "The token endpoint returned no access token.");
            return new ProviderTokens(token.AccessToken, token.RefreshToken, now.AddSeconds(token.ExpiresInSeconds ?? 3600));
        }
        catch (TokenResponseException e) when (e.Error?.Error == "invalid_grant")
        {
            throw new CalendarProviderException(ProviderFailure.GrantRevoked,
                $"The provider refused the grant (invalid_grant{Describe(e)}): connect the calendar again.", (int?)e.StatusCode, e);
        }
        catch (TokenResponseException e)
        {
            throw new CalendarProviderException(ProviderFailure.Upstream,
                $"The token endpoint answered {(int?)e.StatusCode ?? 0} ({e.Error?.Error ?? "no error code"}{Describe(e)}).", (int?)e.StatusCode, e);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or WebException)
        {
            throw new CalendarProviderException(ProviderFailure.Upstream, "The token endpoint could not be reached.", null, e);
        }
    }

    private static string Describe(TokenResponseException e) =>
        e.Error?.ErrorDescription is { Length: > 0 } d ? ": " + (d.Length > 200 ? d[..200] : d) : "";

    public void Dispose() => _flow.Dispose();
}

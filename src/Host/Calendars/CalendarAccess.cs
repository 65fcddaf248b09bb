using Marten;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Integrations.Secrets;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Calendars;

/// <summary>
/// Calls a provider on a connection's behalf with a usable access token: refreshed first when it is about
/// to expire, and once more when the provider refuses it anyway. Refreshed tokens are appended to the
/// connection's stream in the caller's session (sealed), so they commit with whatever the call records.
/// </summary>
public sealed class CalendarAccess(CalendarProviders providers, SecretBox secrets, TimeProvider clock)
{
    public ICalendarProvider ProviderOf(CalendarConnection connection) =>
        providers.Find(connection.Provider)
        ?? throw new CalendarProviderException(ProviderFailure.Upstream, $"{CalendarProviders.Name(connection.Provider)} calendars are not configured on this server.");

    /// <param name="refreshed">Set when the token was refreshed on the way.</param>
    public async Task<T> WithTokenAsync<T>(
        IDocumentSession session, CalendarConnection connection, Func<ICalendarProvider, string, Task<T>> call, Action? refreshed, CancellationToken ct)
    {
        var provider = ProviderOf(connection);
        var token = connection.AccessTokenStale(clock.GetUtcNow()) ? await RefreshAsync(session, connection, provider, refreshed, ct) : Open(connection.Tokens!.AccessToken);
        try
        {
            return await call(provider, token);
        }
        catch (CalendarProviderException e) when (e.Failure == ProviderFailure.Unauthorized)
        {
            token = await RefreshAsync(session, connection, provider, refreshed, ct);
            return await call(provider, token);
        }
    }

    /// <summary>Seals tokens for an event, with the current key (so refreshes also move tokens to a rotated key).</summary>
    public SealedTokens Seal(ProviderTokens tokens) => new(
        secrets.Seal(tokens.AccessToken), tokens.RefreshToken is { } refresh ? secrets.Seal(refresh) : null, tokens.ExpiresAt);

    private async Task<string> RefreshAsync(
        IDocumentSession session, CalendarConnection connection, ICalendarProvider provider, Action? refreshed, CancellationToken ct)
    {
        if (connection.Tokens?.RefreshToken is not { } sealedRefresh)
            throw new CalendarProviderException(ProviderFailure.GrantRevoked, "The provider gave no refresh token: connect the calendar again.");
        var refreshToken = Open(sealedRefresh);
        var tokens = await provider.RefreshAsync(refreshToken, ct);
        // Providers that keep the refresh token (Google) send none back: seal the old one again, with the current key.
        var e = new CalendarTokensRefreshed(connection.Id, Seal(tokens with { RefreshToken = tokens.RefreshToken ?? refreshToken }), clock.GetUtcNow());
        session.Events.Append(connection.Id, e);
        connection.When(e);
        refreshed?.Invoke();
        return tokens.AccessToken;
    }

    private string Open(string sealedToken) =>
        secrets.Open(sealedToken)
        ?? throw new CalendarProviderException(ProviderFailure.GrantRevoked, "The stored tokens cannot be opened with the configured keys: connect the calendar again.");
}

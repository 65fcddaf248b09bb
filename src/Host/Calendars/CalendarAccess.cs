using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Integrations.Secrets;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Calendars;

/// <summary>
/// Calls a provider on a connection's behalf with a usable access token: refreshed first when it is about
/// to expire, and once more when the provider refuses it anyway. A refresh is collected as an event (tokens sealed)
/// for the caller to append when it records the call, so it commits with whatever the call records; nothing here
/// touches the database, so no transaction waits on the provider.
/// </summary>
public sealed class CalendarAccess(CalendarProviders providers, SecretBox secrets, TimeProvider clock)
{
    public ICalendarProvider ProviderOf(CalendarConnection connection) =>
        providers.Find(connection.Provider)
        ?? throw new CalendarProviderException(ProviderFailure.Upstream, $"{CalendarProviders.Name(connection.Provider)} calendars are not configured on this server.");

    /// <param name="refreshes">Receives a <see cref="CalendarTokensRefreshed"/> for each refresh on the way.</param>
    public async Task<T> WithTokenAsync<T>(
        ICollection<CalendarTokensRefreshed> refreshes, CalendarConnection connection, Func<ICalendarProvider, string, Task<T>> call, CancellationToken ct)
    {
        var provider = ProviderOf(connection);
        var token = connection.AccessTokenStale(clock.GetUtcNow()) ? await RefreshAsync(refreshes, connection, provider, ct) : Open(connection.Tokens!.AccessToken);
        try
        {
            return await call(provider, token);
        }
        catch (CalendarProviderException e) when (e.Failure == ProviderFailure.Unauthorized)
        {
            token = await RefreshAsync(refreshes, connection, provider, ct);
            return await call(provider, token);
        }
    }

    /// <summary>Seals tokens for an event, with the current key (so refreshes also move tokens to a rotated key).</summary>
    public SealedTokens Seal(ProviderTokens tokens) => new(
        secrets.Seal(tokens.AccessToken), tokens.RefreshToken is { } refresh ? secrets.Seal(refresh) : null, tokens.ExpiresAt);

    private async Task<string> RefreshAsync(
        ICollection<CalendarTokensRefreshed> refreshes, CalendarConnection connection, ICalendarProvider provider, CancellationToken ct)
    {
        if (connection.Tokens?.RefreshToken is not { } sealedRefresh)
            throw new CalendarProviderException(ProviderFailure.GrantRevoked, "The provider gave no refresh token: connect the calendar again.");
        var refreshToken = Open(sealedRefresh);
        var tokens = await provider.RefreshAsync(refreshToken, ct);
        // Providers that keep the refresh token (Google) send none back: seal the old one again, with the current key.
        var e = new CalendarTokensRefreshed(connection.Id, Seal(tokens with { RefreshToken = tokens.RefreshToken ?? refreshToken }), clock.GetUtcNow());
        refreshes.Add(e);
        connection.When(e);
        return tokens.AccessToken;
    }

    private string Open(string sealedToken) =>
        secrets.Open(sealedToken)
        ?? throw new CalendarProviderException(ProviderFailure.GrantRevoked, "The stored tokens cannot be opened with the configured keys: connect the calendar again.");
}

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using OpenCalendly.Integrations.Secrets;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Calendars;

/// <summary>
/// The OAuth <c>state</c>: who started the connection, for which provider and redirect URI, until when —
/// signed with HMAC-SHA256 under a key derived from <c>Secrets:Key</c>, so every host can check it and no
/// one can forge, extend or reuse it for another organizer or provider.
/// </summary>
public sealed class OAuthState(SecretBox secrets)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly byte[] _key = secrets.DeriveKey("calendar-oauth-state");

    private sealed record Claims(Guid U, string P, string R, long E, string N);

    public (string State, DateTimeOffset ExpiresAt) Issue(Guid userId, CalendarProvider provider, string redirectUri, DateTimeOffset now)
    {
        var expiresAt = now + Lifetime;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Claims(userId, provider.ToString(), redirectUri, expiresAt.ToUnixTimeSeconds(),
            WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16))));
        return ($"{WebEncoders.Base64UrlEncode(payload)}.{WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, payload))}",
            DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <returns>Null when the state is good; otherwise why it is not.</returns>
    public string? Check(string state, Guid userId, CalendarProvider provider, string redirectUri, DateTimeOffset now)
    {
        var dot = state.IndexOf('.');
        if (dot <= 0 || !TryDecode(state[..dot], out var payload) || !TryDecode(state[(dot + 1)..], out var signature)
            || !CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(_key, payload)))
            return "The state is not one this server issued.";
        Claims? claims;
        try
        {
            claims = JsonSerializer.Deserialize<Claims>(payload);
        }
        catch (JsonException)
        {
            return "The state is not one this server issued.";
        }
        if (claims is null || claims.U != userId || claims.P != provider.ToString())
            return "The state belongs to another organizer or provider.";
        if (DateTimeOffset.FromUnixTimeSeconds(claims.E) <= now) return "The state has expired: start connecting again.";
        if (claims.R != redirectUri) return "redirectUri must be the one the connection was started with.";
        return null;
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        try
        {
            bytes = WebEncoders.Base64UrlDecode(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    public static bool IsRedirectUri(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && string.IsNullOrEmpty(uri.Fragment);
}

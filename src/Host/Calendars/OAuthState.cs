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
/// one can forge, extend or reuse it for another organizer or provider. Its nonce names the <see cref="OAuthAttempt"/>
/// that holds the PKCE verifier and is spent by the first completion, so a state works once.
/// </summary>
public sealed class OAuthState(SecretBox secrets)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly byte[] _key = secrets.DeriveKey("calendar-oauth-state");

    private sealed record Claims(Guid U, string P, string R, long E, string N);

    public (string State, string Nonce, DateTimeOffset ExpiresAt) Issue(Guid userId, CalendarProvider provider, string redirectUri, DateTimeOffset now)
    {
        var expiresAt = now + Lifetime;
        var nonce = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Claims(userId, provider.ToString(), redirectUri, expiresAt.ToUnixTimeSeconds(), nonce));
        return ($"{WebEncoders.Base64UrlEncode(payload)}.{WebEncoders.Base64UrlEncode(HMACSHA256.HashData(_key, payload))}", nonce,
            DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <summary>The state's nonce once <see cref="Check"/> passed it (null for anything this server did not sign).</summary>
    public static string? NonceOf(string state)
    {
        var dot = state.IndexOf('.');
        if (dot <= 0 || !TryDecode(state[..dot], out var payload)) return null;
        try
        {
            return JsonSerializer.Deserialize<Claims>(payload)?.N;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A PKCE verifier (RFC 7636: 43–128 unreserved characters) and its S256 challenge.</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (verifier, WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
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

/// <summary>
/// One started connection: its PKCE verifier (sealed) and whether a completion already spent it. Keyed by the state's
/// nonce; optimistic concurrency lets exactly one of two racing completions spend it.
/// </summary>
public sealed class OAuthAttempt
{
    public string Id { get; set; } = "";
    public Guid UserId { get; set; }
    public string SealedVerifier { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }

    public static void Apply(Marten.StoreOptions opts) => opts.Schema.For<OAuthAttempt>().UseOptimisticConcurrency(true);
}

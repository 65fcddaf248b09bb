using System.Security.Cryptography;
using System.Text;

namespace OpenCalendly.Host.Identity;

/// <summary>Bearer secrets: 256 random bits, URL-safe; only their SHA-256 is ever stored.</summary>
public static class Tokens
{
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

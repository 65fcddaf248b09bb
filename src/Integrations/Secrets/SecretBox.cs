using System.Security.Cryptography;
using System.Text;

namespace OpenCalendly.Integrations.Secrets;

/// <summary>
/// Encrypts secrets at rest with AES-256-GCM. Each ciphertext names the key that sealed it
/// (<c>keyId:base64(nonce|ciphertext|tag)</c>), so a new key can take over while old ciphertexts
/// still open with the retired keys kept beside it.
/// </summary>
public sealed class SecretBox
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly string _currentKeyId;
    private readonly IReadOnlyDictionary<string, byte[]> _keys;

    public SecretBox(string currentKeyId, IReadOnlyDictionary<string, byte[]> keys)
    {
        if (!keys.TryGetValue(currentKeyId, out var current) || current.Length != 32)
            throw new ArgumentException($"Secret key '{currentKeyId}' must be 32 bytes (base64).");
        if (currentKeyId.Contains(':')) throw new ArgumentException("A key id cannot contain ':'.");
        (_currentKeyId, _keys) = (currentKeyId, keys);
    }

    public string Seal(string plaintext) => Seal(Encoding.UTF8.GetBytes(plaintext));

    public string Seal(ReadOnlySpan<byte> clear)
    {
        var sealedBytes = new byte[NonceSize + clear.Length + TagSize];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_keys[_currentKeyId], TagSize);
        aes.Encrypt(nonce, clear, sealedBytes.AsSpan(NonceSize, clear.Length), sealedBytes.AsSpan(NonceSize + clear.Length), AssociatedData(_currentKeyId));
        return $"{_currentKeyId}:{Convert.ToBase64String(sealedBytes)}";
    }

    /// <summary>Opens a ciphertext; null when its key is gone or it was tampered with.</summary>
    public string? Open(string sealedText) => OpenBytes(sealedText) is { } clear ? Encoding.UTF8.GetString(clear) : null;

    /// <summary>Opens a ciphertext sealed from bytes; null when its key is gone or it was tampered with.</summary>
    public byte[]? OpenBytes(string sealedText)
    {
        var colon = sealedText.IndexOf(':');
        if (colon <= 0 || !_keys.TryGetValue(sealedText[..colon], out var key)) return null;
        try
        {
            var bytes = Convert.FromBase64String(sealedText[(colon + 1)..]);
            if (bytes.Length < NonceSize + TagSize) return null;
            var clear = new byte[bytes.Length - NonceSize - TagSize];
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(bytes.AsSpan(0, NonceSize), bytes.AsSpan(NonceSize, clear.Length), bytes.AsSpan(NonceSize + clear.Length), clear, AssociatedData(sealedText[..colon]));
            return clear;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>A key for another purpose (signing, say), derived from the current key with HKDF.</summary>
    public byte[] DeriveKey(string purpose) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _keys[_currentKeyId], 32, info: Encoding.UTF8.GetBytes("opencalendly:" + purpose));

    private static byte[] AssociatedData(string keyId) => Encoding.UTF8.GetBytes("opencalendly:" + keyId);
}

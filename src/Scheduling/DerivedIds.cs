using System.Security.Cryptography;
using System.Text;

namespace OpenCalendly.Scheduling;

/// <summary>Ids derived from a name (UUID version 8 over SHA-256), for streams whose identity is a fact, not a draw.</summary>
public static class DerivedIds
{
    public static Guid From(string name)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        var bytes = hash[..16].ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x80); // version 8, in .NET's little-endian field layout
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }
}

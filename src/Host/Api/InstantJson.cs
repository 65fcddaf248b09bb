using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OpenCalendly.Host.Api;

/// <summary>
/// Instants leave as ISO-8601 UTC with milliseconds and <c>Z</c>; they arrive with any explicit offset.
/// A value without an offset is refused: a wall-clock time is not an instant.
/// </summary>
public sealed class InstantJsonConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException();
        return Instants.Parse(reader.GetString()) ?? throw new JsonException();
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Instants.Utf8(value, stackalloc byte[Instants.Length]));
}

public static class Instants
{
    /// <summary>Characters in an instant as the API writes it: <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>.</summary>
    public const int Length = 24;

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// <see cref="Format"/> as UTF-8 into <paramref name="buffer"/> (<see cref="Length"/> bytes), without allocating:
    /// every instant of every answer goes through here.
    /// </summary>
    public static ReadOnlySpan<byte> Utf8(DateTimeOffset value, Span<byte> buffer)
    {
        var utc = value.UtcDateTime;
        utc.Deconstruct(out int year, out int month, out int day);
        var time = utc.Ticks % TimeSpan.TicksPerDay;
        Digits(buffer[..4], year);
        buffer[4] = (byte)'-';
        Digits(buffer.Slice(5, 2), month);
        buffer[7] = (byte)'-';
        Digits(buffer.Slice(8, 2), day);
        buffer[10] = (byte)'T';
        Digits(buffer.Slice(11, 2), (int)(time / TimeSpan.TicksPerHour));
        buffer[13] = (byte)':';
        Digits(buffer.Slice(14, 2), (int)(time / TimeSpan.TicksPerMinute % 60));
        buffer[16] = (byte)':';
        Digits(buffer.Slice(17, 2), (int)(time / TimeSpan.TicksPerSecond % 60));
        buffer[19] = (byte)'.';
        Digits(buffer.Slice(20, 3), (int)(time / TimeSpan.TicksPerMillisecond % 1000));
        buffer[23] = (byte)'Z';
        return buffer[..Length];
    }

    private static void Digits(Span<byte> into, int value)
    {
        for (var i = into.Length - 1; i >= 0; i--, value /= 10) into[i] = (byte)('0' + value % 10);
    }

    /// <summary>Parses an ISO-8601 instant that names its offset (<c>Z</c> or <c>±hh:mm</c>); anything else is null.</summary>
    public static DateTimeOffset? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 40 || !HasOffset(text)) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var value)
            && text.Contains('T')
            ? value.ToUniversalTime()
            : null;
    }

    private static bool HasOffset(string text)
    {
        var t = text.Trim();
        if (t.EndsWith('Z') || t.EndsWith('z')) return true;
        var timePart = t.IndexOf('T') is var i and >= 0 ? t[i..] : "";
        return timePart.Contains('+') || timePart.Contains('-');
    }
}

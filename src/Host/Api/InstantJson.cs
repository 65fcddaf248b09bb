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
        writer.WriteStringValue(Instants.Format(value));
}

public static class Instants
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

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

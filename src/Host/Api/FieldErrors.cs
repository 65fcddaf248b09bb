using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using Wolverine.Http;

namespace OpenCalendly.Host.Api;

/// <summary>Collects input-shape errors field by field; <see cref="ToProblem"/> ends a Validate method.</summary>
public sealed partial class FieldErrors
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }

    public FieldErrors When(bool invalid, string field, string message) => invalid ? Add(field, message) : this;

    public FieldErrors Require(string field, object? value) =>
        value is null ? Add(field, $"{field} is required.") : this;

    /// <summary>
    /// Text of <paramref name="min"/>–<paramref name="max"/> characters. Single-line fields (names, titles, slugs, locations,
    /// tokens) refuse every control character and Unicode line separator, so nothing a caller types can start a new
    /// header or iCalendar line; <paramref name="multiline"/> fields (reasons, answers) may hold line breaks and tabs,
    /// and are escaped wherever they are written.
    /// </summary>
    public FieldErrors Text(string field, string? value, int min, int max, bool required = false, bool multiline = false)
    {
        if (value is null) return required ? Add(field, $"{field} is required.") : this;
        if (value.Length < min || value.Length > max) return Add(field, $"{field} must be {min}–{max} characters.");
        if (multiline && value.Any(c => char.IsControl(c) && c is not '\n' and not '\r' and not '\t'))
            return Add(field, $"{field} must not contain control characters.");
        if (!multiline && value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029'))
            return Add(field, $"{field} must be a single line without control characters.");
        return this;
    }

    public FieldErrors Number(string field, int? value, int min, int max, bool required = false)
    {
        if (value is null) return required ? Add(field, $"{field} is required.") : this;
        return value < min || value > max ? Add(field, $"{field} must be between {min} and {max}.") : this;
    }

    public FieldErrors Email(string field, string? value, bool required = false)
    {
        if (value is null) return required ? Add(field, $"{field} is required.") : this;
        return value.Length > 254 || !EmailShape().IsMatch(value) ? Add(field, $"{field} must be a valid email address.") : this;
    }

    public FieldErrors Zone(string field, string? value, bool required = false)
    {
        if (value is null) return required ? Add(field, $"{field} is required.") : this;
        return Zones.Find(value) is null ? Add(field, $"Unknown time zone '{Truncate(value)}': use an IANA name such as Europe/London.") : this;
    }

    public FieldErrors Pattern(string field, string? value, Regex pattern, string rule) =>
        value is not null && !pattern.IsMatch(value) ? Add(field, $"{field} {rule}") : this;

    public ProblemDetails ToProblem() => Any ? Problems.Validation(_errors) : WolverineContinue.NoProblems;

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";

    [GeneratedRegex(@"^[^\s@<>()\[\],;:""]+@[^\s@<>()\[\],;:""]+\.[^\s@<>()\[\],;:""]+$")]
    private static partial Regex EmailShape();

    /// <summary>Lowercase letters and digits separated by single hyphens.</summary>
    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    public static partial Regex Kebab();
}

public static class Zones
{
    public static DateTimeZone? Find(string? name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > 64 ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(name);
}

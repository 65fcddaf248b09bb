using NodaTime;
using PublicHoliday;

namespace OpenCalendly.Scheduling.Availability;

/// <summary>A public holiday on the date it is observed (a Saturday or Sunday holiday may move to a weekday).</summary>
public sealed record Holiday(LocalDate Date, string Name);

/// <summary>
/// Public holidays by country, computed from rules. The United States (federal), the United Kingdom
/// (England and Wales bank holidays) and Germany (nationwide) come from the PublicHoliday package; India's
/// three national holidays are fixed dates kept here. India's festival holidays follow lunar calendars
/// and are declared yearly by each state, so no rule can compute them: organizers add those as time off.
/// </summary>
public static class HolidayPresets
{
    public const int FirstYear = 2000;
    public const int LastYear = 2100;

    public static IReadOnlyList<string> Countries { get; } = ["US", "GB", "DE", "IN"];

    /// <summary>The preset's code for <paramref name="country"/> (any case; UK is GB), or null when there is no preset.</summary>
    public static string? Code(string country) => country.ToUpperInvariant() switch
    {
        "UK" => "GB",
        var code when Countries.Contains(code) => code,
        _ => null,
    };

    /// <summary>The holidays of <paramref name="country"/> (ISO 3166 alpha-2; UK is read as GB) observed in <paramref name="year"/>, by date.</summary>
    public static IReadOnlyList<Holiday>? For(string country, int year)
    {
        if (year is < FirstYear or > LastYear || Code(country) is not { } code) return null;
        // A holiday of next year can be observed this year (1 January on a Saturday is observed on 31 December).
        return Names(code, year).Concat(Names(code, year + 1))
            .Where(h => h.Key.Year == year)
            .Select(h => new Holiday(LocalDate.FromDateTime(h.Key), h.Value))
            .DistinctBy(h => h.Date)
            .OrderBy(h => h.Date)
            .ToList();
    }

    private static IDictionary<DateTime, string> Names(string code, int year) => code switch
    {
        "US" => new USAPublicHoliday().PublicHolidayNames(year),
        "GB" => new UKBankHoliday().PublicHolidayNames(year),
        "DE" => new GermanPublicHoliday().PublicHolidayNames(year),
        "IN" => India(year),
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "No holiday preset for this code."),
    };

    private static Dictionary<DateTime, string> India(int year) => new()
    {
        [new DateTime(year, 1, 26)] = "Republic Day",
        [new DateTime(year, 8, 15)] = "Independence Day",
        [new DateTime(year, 10, 2)] = "Gandhi Jayanti",
    };
}

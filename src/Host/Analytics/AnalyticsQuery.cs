using System.Globalization;
using Marten;
using Npgsql;
using OpenCalendly.Host.Api;
using OpenCalendly.Scheduling.Analytics;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Analytics;

/// <summary>What the analytics routes share: the date range and the caller's own event types.</summary>
public static class AnalyticsQuery
{
    /// <summary>The range from <c>startDate</c> / <c>endDate</c> (<c>YYYY-MM-DD</c>, UTC), or a 400 problem.</summary>
    public static (DayRange? Range, Microsoft.AspNetCore.Mvc.ProblemDetails? Problem) Range(string? startDate, string? endDate, DateTimeOffset now)
    {
        var errors = new FieldErrors();
        var start = ParseDate(startDate, "startDate", errors);
        var end = ParseDate(endDate, "endDate", errors);
        if (errors.Any) return (null, errors.ToProblem());
        var (range, refusal) = DayRange.Resolve(start, end, DateOnly.FromDateTime(now.UtcDateTime));
        return refusal is null ? (range, null) : (null, Problems.From(refusal));
    }

    private static DateOnly? ParseDate(string? text, string field, FieldErrors errors)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) && date.Year is >= 2000 and < 2200)
            return date;
        errors.Add(field, $"{field} must be a date as YYYY-MM-DD.");
        return null;
    }

    /// <summary>An id from the query string: absent is fine, malformed is a 404 like any id that isn't the caller's.</summary>
    public static bool TryId(string? text, out Guid? id)
    {
        id = null;
        if (text is null) return true;
        if (!Guid.TryParse(text, out var parsed)) return false;
        id = parsed;
        return true;
    }

    /// <summary>The caller's event types (their own and their teams'), by id.</summary>
    public static async Task<Dictionary<Guid, EventType>> EventTypesOfAsync(IQuerySession db, Guid organizerId, CancellationToken ct) =>
        (await db.Query<EventType>().Where(e => e.OrganizerId == organizerId).ToListAsync(ct)).ToDictionary(e => e.Id);

    public static NpgsqlParameter Value(object value) => new() { Value = value };
}

public sealed record FunnelCounts(int PageViews, int SlotSelections, int BookingConfirmations, int Confirmed, int Canceled, int Rescheduled)
{
    public static readonly FunnelCounts Zero = new(0, 0, 0, 0, 0, 0);

    public static FunnelCounts operator +(FunnelCounts a, FunnelCounts b) => new(
        a.PageViews + b.PageViews, a.SlotSelections + b.SlotSelections, a.BookingConfirmations + b.BookingConfirmations,
        a.Confirmed + b.Confirmed, a.Canceled + b.Canceled, a.Rescheduled + b.Rescheduled);

    /// <summary>Confirmations per page view, 0 when there were none; four decimals.</summary>
    public double ConversionRate => PageViews == 0 ? 0 : Math.Round((double)BookingConfirmations / PageViews, 4);
}

using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Projections;
using Wolverine.Http;

namespace OpenCalendly.Host.Availability;

/// <summary>Either whole dates (<c>startDate</c>, optional <c>endDate</c>) or an exact interval (<c>startAt</c>, <c>endAt</c>).</summary>
public sealed record TimeOffInput(DateOnly? StartDate, DateOnly? EndDate, DateTimeOffset? StartAt, DateTimeOffset? EndAt, string? Reason);

public sealed record HolidayImportInput(string? Country, int? Year);

public sealed record TimeOffJson(
    Guid Id, bool AllDay, DateOnly? StartDate, DateOnly? EndDate, DateTimeOffset? StartAt, DateTimeOffset? EndAt,
    string? Reason, string? Holiday, DateTimeOffset CreatedAt, DateTimeOffset BlocksFrom, DateTimeOffset BlocksUntil)
{
    /// <summary>A schedule's time off, in the order it blocks, each with its instants in the organizer's zone.</summary>
    public static IReadOnlyList<TimeOffJson> List(Schedule schedule, DateTimeZone zone) =>
        [.. schedule.TimeOff.OrderBy(t => t.Period.In(zone).Start).Select(t => Of(t, zone))];

    /// <summary>With the instants it blocks in the organizer's current zone.</summary>
    public static TimeOffJson Of(ScheduleTimeOff t, DateTimeZone zone)
    {
        var blocks = t.Period.In(zone);
        return new(t.Id, t.FirstDate is not null, t.FirstDate, t.FirstDate is null ? null : t.LastDate ?? t.FirstDate, t.StartAt, t.EndAt,
            t.Reason, t.Holiday, t.CreatedAt, blocks.Start.ToDateTimeOffset(), blocks.End.ToDateTimeOffset());
    }
}

/// <summary>A booking that already falls inside new time off: reported, never silently left (the organizer decides).</summary>
public sealed record TimeOffListAnswer(bool Ok, IReadOnlyList<TimeOffJson> TimeOff);

public sealed record TimeOffAddedAnswer(bool Ok, TimeOffJson TimeOff, IReadOnlyList<ConflictJson> Conflicts);

public sealed record TimeOffRemovedAnswer(bool Ok, Guid Removed);

public sealed record HolidayJson(DateOnly Date, string Name);

public sealed record HolidayPresetAnswer(bool Ok, string Country, int Year, IReadOnlyList<HolidayJson> Holidays);

public sealed record HolidaysImportedAnswer(bool Ok, IReadOnlyList<TimeOffJson> Added, int Skipped, IReadOnlyList<ConflictJson> Conflicts);

public sealed record ConflictJson(Guid BookingId, Guid EventTypeId, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string InviteeName, string InviteeEmail);

public static class TimeOff
{
    public const int MaxEntries = 500;
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(366);

    public static async Task<(User User, Schedule Schedule)> LoadAsync(IQuerySession db, Guid userId, CancellationToken ct)
    {
        var user = await db.LoadAsync<User>(userId, ct) ?? throw new InvalidOperationException("The signed-in user has no user document.");
        return (user, await db.LoadAsync<Schedule>(userId, ct) ?? new Schedule { Id = userId });
    }

    /// <summary>The person's confirmed bookings that overlap any of the given periods.</summary>
    public static async Task<IReadOnlyList<ConflictJson>> ConflictsAsync(
        IQuerySession db, Guid userId, DateTimeZone zone, IEnumerable<ScheduleTimeOff> added, CancellationToken ct)
    {
        var blocked = added.Select(t => t.Period.In(zone)).ToList();
        if (blocked.Count == 0) return [];
        var (from, to) = (blocked.Min(b => b.Start).ToDateTimeOffset(), blocked.Max(b => b.End).ToDateTimeOffset());
        var candidates = await db.Query<Booking>()
            .Where(b => b.ReservedUserIds.Contains(userId) && b.Status == BookingStatus.Confirmed && b.StartsAt < to && b.EndsAt > from)
            .OrderBy(b => b.StartsAt)
            .ToListAsync(ct);
        return [.. candidates
            .Where(b => blocked.Any(i => i.Overlaps(new TimeInterval(Instant.FromDateTimeOffset(b.StartsAt), Instant.FromDateTimeOffset(b.EndsAt)))))
            .Select(b => new ConflictJson(b.Id, b.EventTypeId, b.StartsAt, b.EndsAt, b.InviteeName, b.InviteeEmail))];
    }

    public static ProblemDetails? Full(Schedule schedule, int adding) =>
        schedule.TimeOff.Count + adding > MaxEntries
            ? Problems.Create(409, "time-off-limit", $"At most {MaxEntries} time-off entries: remove past ones first.")
            : null;
}

public static class ListTimeOffEndpoint
{
    [Scope(ApiScopes.AvailabilityRead)]
    [ProducesResponseType<TimeOffListAnswer>(200)]
    [WolverineGet("/v0/me/time-off", OperationId = "listTimeOff")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        var (user, schedule) = await TimeOff.LoadAsync(db, caller.UserId(), ct);
        var zone = SlotInputs.ZoneOf(user);
        return Results.Json(new TimeOffListAnswer(true, TimeOffJson.List(schedule, zone)));
    }
}

public static class AddTimeOffEndpoint
{
    private static readonly DateOnly Earliest = new(2000, 1, 1), Latest = new(2199, 12, 31);

    public static ProblemDetails Validate(TimeOffInput body)
    {
        var errors = new FieldErrors().Text("reason", body.Reason, 0, 500, multiline: true);
        var dated = body.StartDate is not null || body.EndDate is not null;
        var timed = body.StartAt is not null || body.EndAt is not null;
        if (dated == timed)
            return errors.Add("startDate", "Send either startDate (and endDate) for whole days, or startAt and endAt for a timed period.").ToProblem();
        if (dated)
        {
            errors.Require("startDate", body.StartDate)
                .When(body.StartDate < Earliest || body.StartDate > Latest || body.EndDate > Latest, "startDate", "Dates must lie between 2000 and 2199.")
                .When(body.EndDate < body.StartDate, "endDate", "endDate must not be before startDate.")
                .When(body.EndDate?.DayNumber - body.StartDate?.DayNumber >= 366, "endDate", "Time off can span at most 366 days.");
        }
        else
        {
            errors.Require("startAt", body.StartAt).Require("endAt", body.EndAt)
                .When(body.StartAt is { Year: < 2000 or >= 2200 } || body.EndAt is { Year: < 2000 or >= 2200 }, "startAt", "Times must lie between 2000 and 2200.")
                .When(body.EndAt <= body.StartAt, "endAt", "endAt must be after startAt.")
                .When(body.EndAt - body.StartAt > TimeOff.MaxSpan, "endAt", "Time off can span at most 366 days.");
        }
        return errors.ToProblem();
    }

    [Scope(ApiScopes.AvailabilityWrite)]
    [ProducesResponseType<TimeOffAddedAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [WolverinePost("/v0/me/time-off", OperationId = "addTimeOff")]
    public static async Task<IResult> Post(
        TimeOffInput body, ClaimsPrincipal caller, IDocumentSession db, PublicPageCache pages, TimeProvider clock, CancellationToken ct)
    {
        await db.LockAsync(LockKind.Schedule, caller.UserId(), ct);
        var (user, schedule) = await TimeOff.LoadAsync(db, caller.UserId(), ct);
        if (TimeOff.Full(schedule, 1) is { } full) return Problems.Result(full);

        var entry = new ScheduleTimeOff(Guid.CreateVersion7(), body.StartDate, body.StartDate is null ? null : body.EndDate ?? body.StartDate,
            body.StartAt, body.EndAt, string.IsNullOrWhiteSpace(body.Reason) ? null : body.Reason.Trim(), null, clock.GetUtcNow());
        schedule.TimeOff.Add(entry);
        db.Store(schedule);
        pages.Forget(user.Id);
        var zone = SlotInputs.ZoneOf(user);
        return Results.Json(new TimeOffAddedAnswer(true, TimeOffJson.Of(entry, zone), await TimeOff.ConflictsAsync(db, user.Id, zone, [entry], ct)));
    }
}

public static class RemoveTimeOffEndpoint
{
    [Scope(ApiScopes.AvailabilityWrite)]
    [ProducesResponseType<TimeOffRemovedAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverineDelete("/v0/me/time-off/{id}", OperationId = "removeTimeOff")]
    public static async Task<IResult> Delete(Guid id, ClaimsPrincipal caller, IDocumentSession db, PublicPageCache pages, CancellationToken ct)
    {
        await db.LockAsync(LockKind.Schedule, caller.UserId(), ct);
        var (user, schedule) = await TimeOff.LoadAsync(db, caller.UserId(), ct);
        if (schedule.TimeOff.RemoveAll(t => t.Id == id) == 0) return Problems.Result(Problems.NotFound("Time off not found."));
        db.Store(schedule);
        pages.Forget(user.Id);
        return Results.Json(new TimeOffRemovedAnswer(true, id));
    }
}

public static class HolidayPresetEndpoint
{
    public static ProblemDetails Validate(string? country, string? year) => Check(country, year is null ? null : int.TryParse(year, out var y) ? y : -1);

    public static ProblemDetails Check(string? country, int? year) => new FieldErrors()
        .Require("country", country)
        .When(country is not null && HolidayPresets.Code(country) is null,
            "country", $"No holiday preset for that country: use one of {string.Join(", ", HolidayPresets.Countries)}.")
        .Require("year", year)
        .When(year is not null && year is < HolidayPresets.FirstYear or > HolidayPresets.LastYear, "year",
            $"year must be a whole number from {HolidayPresets.FirstYear} to {HolidayPresets.LastYear}.")
        .ToProblem();

    [Scope(ApiScopes.AvailabilityRead)]
    [ProducesResponseType<HolidayPresetAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [WolverineGet("/v0/me/time-off/holidays", OperationId = "holidayPreset")]
    public static IResult Get(string? country, string? year)
    {
        var code = HolidayPresets.Code(country!)!;
        var y = int.Parse(year!);
        return Results.Json(new HolidayPresetAnswer(true, code, y, [.. HolidayPresets.For(code, y)!.Select(h => new HolidayJson(h.Date.ToDateOnly(), h.Name))]));
    }
}

public static class ImportHolidaysEndpoint
{
    public static ProblemDetails Validate(HolidayImportInput body) => HolidayPresetEndpoint.Check(body.Country, body.Year);

    /// <summary>Adds each holiday as its own all-day entry (removable one by one); dates already imported from the same preset are skipped.</summary>
    [Scope(ApiScopes.AvailabilityWrite)]
    [ProducesResponseType<HolidaysImportedAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [WolverinePost("/v0/me/time-off/holidays", OperationId = "importHolidays")]
    public static async Task<IResult> Post(
        HolidayImportInput body, ClaimsPrincipal caller, IDocumentSession db, PublicPageCache pages, TimeProvider clock, CancellationToken ct)
    {
        await db.LockAsync(LockKind.Schedule, caller.UserId(), ct);
        var (user, schedule) = await TimeOff.LoadAsync(db, caller.UserId(), ct);
        var country = HolidayPresets.Code(body.Country!)!;
        var now = clock.GetUtcNow();
        var known = schedule.TimeOff.Where(t => t.Holiday == country).Select(t => t.FirstDate).ToHashSet();
        var holidays = HolidayPresets.For(country, body.Year!.Value)!;
        var added = holidays
            .Where(h => !known.Contains(h.Date.ToDateOnly()))
            .Select(h => new ScheduleTimeOff(Guid.CreateVersion7(), h.Date.ToDateOnly(), h.Date.ToDateOnly(), null, null, h.Name, country, now))
            .ToList();
        if (TimeOff.Full(schedule, added.Count) is { } full) return Problems.Result(full);

        schedule.TimeOff.AddRange(added);
        db.Store(schedule);
        pages.Forget(user.Id);
        var zone = SlotInputs.ZoneOf(user);
        return Results.Json(new HolidaysImportedAnswer(true, [.. added.Select(t => TimeOffJson.Of(t, zone))], holidays.Count - added.Count,
            await TimeOff.ConflictsAsync(db, user.Id, zone, added, ct)));
    }
}

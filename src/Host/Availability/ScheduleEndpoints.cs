using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Projections;
using Wolverine.Http;

namespace OpenCalendly.Host.Availability;

public sealed record RuleInput(int? DayOfWeek, int? StartMinute, int? EndMinute, int? BufferBeforeMinutes, int? BufferAfterMinutes);
public sealed record ReplaceRules(IReadOnlyList<RuleInput?>? Rules);
public sealed record OverrideInput(DateTimeOffset? StartAt, DateTimeOffset? EndAt, bool? IsAvailable, string? Reason);
public sealed record ReplaceOverrides(IReadOnlyList<OverrideInput?>? Overrides);

/// <summary>The organizer's weekly hours and date overrides (<c>GET /v0/me/availability</c> and both replacements).</summary>
public sealed record ScheduleAnswer(bool Ok, IReadOnlyList<ScheduleRule> Rules, IReadOnlyList<ScheduleOverride> Overrides);

public static class GetScheduleEndpoint
{
    [Scope(ApiScopes.AvailabilityRead)]
    [ProducesResponseType<ScheduleAnswer>(200)]
    [WolverineGet("/v0/me/availability", OperationId = "getAvailability")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db) =>
        Answer(await db.LoadAsync<Schedule>(caller.UserId()) ?? new Schedule { Id = caller.UserId() });

    public static IResult Answer(Schedule schedule) =>
        Results.Json(new ScheduleAnswer(true, schedule.Rules, schedule.Overrides));
}

public static class ReplaceRulesEndpoint
{
    public const int MaxRules = 50;

    public static ProblemDetails Validate(ReplaceRules body)
    {
        var errors = new FieldErrors();
        if (body.Rules is null) return errors.Require("rules", null).ToProblem();
        if (body.Rules.Count > MaxRules) return errors.Add("rules", $"At most {MaxRules} rules.").ToProblem();
        for (var i = 0; i < body.Rules.Count; i++)
        {
            var field = $"rules[{i}]";
            if (body.Rules[i] is not { } rule) { errors.Add(field, $"{field} must be an object."); continue; }
            errors.Number($"{field}.dayOfWeek", rule.DayOfWeek, 0, 6, required: true)
                .Number($"{field}.startMinute", rule.StartMinute, 0, 1440, required: true)
                .Number($"{field}.endMinute", rule.EndMinute, 0, 1440, required: true)
                .Number($"{field}.bufferBeforeMinutes", rule.BufferBeforeMinutes, 0, 180)
                .Number($"{field}.bufferAfterMinutes", rule.BufferAfterMinutes, 0, 180);
            if (rule.EndMinute <= rule.StartMinute) errors.Add($"{field}.endMinute", "endMinute must be after startMinute.");
        }
        return errors.ToProblem();
    }

    [Scope(ApiScopes.AvailabilityWrite)]
    [ProducesResponseType<ScheduleAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePut("/v0/me/availability/rules", OperationId = "replaceRules")]
    public static async Task<IResult> Put(ReplaceRules body, ClaimsPrincipal caller, IDocumentSession db, PublicPageCache pages, TimeProvider clock, CancellationToken ct)
    {
        await db.LockAsync(LockKind.Schedule, caller.UserId(), ct);
        pages.Forget(caller.UserId());
        var schedule = await db.LoadAsync<Schedule>(caller.UserId(), ct) ?? new Schedule { Id = caller.UserId() };
        var now = clock.GetUtcNow();
        schedule.Rules = [.. body.Rules!.Select(r => new ScheduleRule(Guid.CreateVersion7(), r!.DayOfWeek!.Value,
            r.StartMinute!.Value, r.EndMinute!.Value, r.BufferBeforeMinutes ?? 0, r.BufferAfterMinutes ?? 0, now))];
        db.Store(schedule);
        return GetScheduleEndpoint.Answer(schedule);
    }
}

public static class ReplaceOverridesEndpoint
{
    public const int MaxOverrides = 200;

    public static ProblemDetails Validate(ReplaceOverrides body)
    {
        var errors = new FieldErrors();
        if (body.Overrides is null) return errors.Require("overrides", null).ToProblem();
        if (body.Overrides.Count > MaxOverrides) return errors.Add("overrides", $"At most {MaxOverrides} overrides.").ToProblem();
        for (var i = 0; i < body.Overrides.Count; i++)
        {
            var field = $"overrides[{i}]";
            if (body.Overrides[i] is not { } o) { errors.Add(field, $"{field} must be an object."); continue; }
            errors.Require($"{field}.startAt", o.StartAt).Require($"{field}.endAt", o.EndAt)
                .Require($"{field}.isAvailable", o.IsAvailable).Text($"{field}.reason", o.Reason, 0, 500, multiline: true);
            if (o.StartAt >= o.EndAt) errors.Add($"{field}.endAt", "endAt must be after startAt.");
            if (o.EndAt - o.StartAt > TimeSpan.FromDays(366)) errors.Add($"{field}.endAt", "An override can span at most 366 days.");
        }
        return errors.ToProblem();
    }

    [Scope(ApiScopes.AvailabilityWrite)]
    [ProducesResponseType<ScheduleAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json")]
    [WolverinePut("/v0/me/availability/overrides", OperationId = "replaceOverrides")]
    public static async Task<IResult> Put(ReplaceOverrides body, ClaimsPrincipal caller, IDocumentSession db, PublicPageCache pages, TimeProvider clock, CancellationToken ct)
    {
        await db.LockAsync(LockKind.Schedule, caller.UserId(), ct);
        pages.Forget(caller.UserId());
        var schedule = await db.LoadAsync<Schedule>(caller.UserId(), ct) ?? new Schedule { Id = caller.UserId() };
        var now = clock.GetUtcNow();
        schedule.Overrides = [.. body.Overrides!.Select(o => new ScheduleOverride(Guid.CreateVersion7(), o!.StartAt!.Value,
            o.EndAt!.Value, o.IsAvailable!.Value, string.IsNullOrEmpty(o.Reason) ? null : o.Reason, now))];
        db.Store(schedule);
        return GetScheduleEndpoint.Answer(schedule);
    }
}

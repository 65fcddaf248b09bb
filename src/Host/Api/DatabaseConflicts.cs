using JasperFx;
using JasperFx.Events;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using OpenCalendly.Projections.Bookings;

namespace OpenCalendly.Host.Api;

/// <summary>
/// The one place where the database's refusals become answers: an exclusion violation (or a deadlock
/// between racing bookings) is a taken slot, a unique violation is a duplicate, a lost optimistic
/// concurrency check is a conflict. Everything else stays a 500 without details.
/// </summary>
public sealed class DatabaseConflicts(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (Classify(exception) is not { } problem) return false;
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    public static ProblemDetails? Classify(Exception exception)
    {
        if (exception is ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
            return Problems.Create(409, "conflict", "Another request changed this resource at the same time; retry.");

        var postgres = Find<PostgresException>(exception);
        return postgres?.SqlState switch
        {
            PostgresErrorCodes.ExclusionViolation or PostgresErrorCodes.DeadlockDetected => Problems.SlotTaken(),
            PostgresErrorCodes.UniqueViolation when postgres.ConstraintName?.Contains("team_slug") == true =>
                Problems.Create(409, "duplicate-slug", "That team slug is already taken."),
            PostgresErrorCodes.UniqueViolation when postgres.ConstraintName?.Contains("slug") == true =>
                Problems.Create(409, "duplicate-slug", "An event type with that slug already exists here."),
            PostgresErrorCodes.UniqueViolation when postgres.ConstraintName?.Contains("username") == true =>
                Problems.Create(409, "username-taken", "That username is already taken."),
            PostgresErrorCodes.UniqueViolation => Problems.Create(409, "conflict", "That already exists."),
            _ => null,
        };
    }

    public static bool IsSlotConflict(Exception exception) =>
        Find<PostgresException>(exception) is { } postgres
        && (postgres.SqlState == PostgresErrorCodes.DeadlockDetected
            || postgres.SqlState == PostgresErrorCodes.ExclusionViolation && postgres.ConstraintName == SlotReservationTable.NoOverlapConstraint);

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
            if (e is T match) return match;
        return null;
    }
}

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
/// concurrency check is a conflict, and a database that cannot be reached or is not the primary (a failover
/// under way) is <c>503 unavailable</c> with <c>Retry-After</c>. Everything else stays a 500 without details.
/// </summary>
public sealed class DatabaseConflicts(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (Classify(exception) is not { } problem) return false;
        context.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == 503) context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }

    /// <summary>What a client waits before it tries again while the database is away: a promoted standby serves within seconds.</summary>
    public const int RetryAfterSeconds = 2;

    public static ProblemDetails? Classify(Exception exception)
    {
        if (exception is ConcurrencyException or EventStreamUnexpectedMaxEventIdException)
            return Problems.Create(409, "conflict", "Another request changed this resource at the same time; retry.");
        if (IsUnavailable(exception))
            return Problems.Create(503, "unavailable", "The database cannot be reached right now (it may be failing over); retry in a few seconds.");

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

    /// <summary>
    /// The database is away, not refusing: no connection could be opened or one broke (every host of a multi-host string
    /// down or not the primary: "No suitable host was found"), a command timed out, the server is shutting down or
    /// starting (SQLSTATE 57P01–57P03), or the connection reached a standby that cannot write (25006).
    /// </summary>
    public static bool IsUnavailable(Exception exception)
    {
        if (Find<PostgresException>(exception) is { } postgres)
            return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow
                    or PostgresErrorCodes.ReadOnlySqlTransaction or PostgresErrorCodes.TooManyConnections;
        return Find<NpgsqlException>(exception) is not null || Find<TimeoutException>(exception) is not null || Find<System.Net.Sockets.SocketException>(exception) is not null;
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

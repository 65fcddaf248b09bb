using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.Bookings;
using Wolverine.Http;

namespace OpenCalendly.Host.Bookings;

/// <summary>
/// The caller's bookings (as organizer or assigned member), by start: from <c>from</c> (default now) to <c>to</c>,
/// optionally one <c>status</c>, at most <c>limit</c> (1–200, default 50). The console lists them and opens each one's history.
/// </summary>
public static class ListBookingsEndpoint
{
    public static ProblemDetails Validate(string? from, string? to, string? status, string? limit) =>
        new FieldErrors().BookingFilters(from, to, status, limit).ToProblem();

    [Scope(ApiScopes.BookingsRead)]
    [ProducesResponseType<OrganizerBookingsAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [WolverineGet("/v0/me/bookings", OperationId = "listBookings")]
    public static async Task<IResult> Get(
        string? from, string? to, string? status, string? limit, ClaimsPrincipal caller, IQuerySession db, TimeProvider clock, CancellationToken ct)
    {
        var userId = caller.UserId();
        var start = from is null ? clock.GetUtcNow() : Instants.Parse(from)!.Value;
        var end = to is null ? DateTimeOffset.MaxValue : Instants.Parse(to)!.Value;
        var query = db.Query<Booking>().Where(OrganizerBookings.HeldBy(userId)).Where(b => b.EndsAt > start && b.StartsAt < end);
        if (status is not null && BookingStatusText.Parse(status) is { } wanted) query = query.Where(b => b.Status == wanted);
        var bookings = await query.OrderBy(b => b.StartsAt).Take(limit is null ? 50 : int.Parse(limit)).ToListAsync(ct);
        return Results.Json(new OrganizerBookingsAnswer(true, await OrganizerBookings.JsonAsync(db, bookings, ct)));
    }
}

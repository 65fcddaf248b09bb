using System.Buffers.Text;
using System.Globalization;
using System.Linq.Expressions;
using System.Security.Claims;
using System.Text;
using Marten;
using Marten.Linq.MatchesSql;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;

namespace OpenCalendly.Host.Bookings;

public sealed record BookingsPageAnswer(bool Ok, IReadOnlyList<OrganizerBookingJson> Bookings, string? NextCursor);

public sealed record OrganizerBookingAnswer(bool Ok, OrganizerBookingJson Booking);

/// <summary>
/// The bookings API for integrators (an API key with <c>bookings:read</c>, or a session): every booking the caller
/// organizes or is assigned to, filtered and paged by an opaque cursor in one stable order (start, then id), so a
/// client walking the pages sees each booking once even while new ones arrive.
/// </summary>
public static class BookingsApiEndpoints
{
    public const int DefaultLimit = 50, MostPerPage = 200;

    public static ProblemDetails Validate(
        string? status, string? from, string? to, string? eventTypeId, string? updatedSince, string? cursor, string? limit) => new FieldErrors()
        .BookingFilters(from, to, status, limit)
        .When(eventTypeId is not null && !Guid.TryParse(eventTypeId, out _), "eventTypeId", "eventTypeId must be an event type's id.")
        .When(updatedSince is not null && Instants.Parse(updatedSince) is null, "updatedSince", "updatedSince must be an ISO-8601 instant with an offset.")
        .When(cursor is not null && Cursor.Parse(cursor) is null, "cursor", "cursor must be a nextCursor this route answered.")
        .ToProblem();

    [Scope(ApiScopes.BookingsRead)]
    [ProducesResponseType<BookingsPageAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [WolverineGet("/v0/bookings", OperationId = "listBookingsPage")]
    public static async Task<BookingsPageAnswer> Get(
        string? status, string? from, string? to, string? eventTypeId, string? updatedSince, string? cursor, string? limit,
        ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        var userId = caller.UserId();
        var query = db.Query<Booking>().Where(OrganizerBookings.HeldBy(userId));
        if (status is not null && BookingStatusText.Parse(status) is { } wanted) query = query.Where(b => b.Status == wanted);
        if (from is not null && Instants.Parse(from) is { } start) query = query.Where(b => b.EndsAt > start);
        if (to is not null && Instants.Parse(to) is { } end) query = query.Where(b => b.StartsAt < end);
        if (eventTypeId is not null && Guid.Parse(eventTypeId) is var type) query = query.Where(b => b.EventTypeId == type);
        if (updatedSince is not null && Instants.Parse(updatedSince) is { } since) query = query.Where(b => b.UpdatedAt >= since);
        // After the cursor in (start, id) order: a row comparison, as C# has no ordering operators on Guid for LINQ to translate.
        if (cursor is not null && Cursor.Parse(cursor) is var (afterStart, afterId))
            query = query.Where(b => b.MatchesSql("(CAST(d.data ->> 'startsAt' as timestamp with time zone), d.id) > (?, ?)", afterStart, afterId));
        var take = limit is null ? DefaultLimit : int.Parse(limit, CultureInfo.InvariantCulture);
        var page = await query.OrderBy(b => b.StartsAt).ThenBy(b => b.Id).Take(take + 1).ToListAsync(ct);
        var shown = page.Take(take).ToList();
        var json = await OrganizerBookings.JsonAsync(db, shown, ct);
        return new BookingsPageAnswer(true, json, page.Count > take ? Cursor.Of(shown[^1]) : null);
    }

    /// <summary>A page's position: the last booking's start and id, opaque to clients (base64url of both).</summary>
    private static class Cursor
    {
        public static string Of(Booking last) =>
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes(last.StartsAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "/" + last.Id.ToString("N")));

        public static (DateTimeOffset Start, Guid Id)? Parse(string text)
        {
            if (text.Length > 100 || !Base64Url.IsValid(text)) return null;
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text)).Split('/');
            return parts is [var ticks, var id] && long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var t)
                && t >= DateTimeOffset.MinValue.UtcTicks && t <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(id, "N", out var g)
                ? (new DateTimeOffset(t, TimeSpan.Zero), g) : null;
        }
    }
}

/// <summary>One booking, as the bookings API reads it.</summary>
public static class BookingApiEndpoint
{
    [Scope(ApiScopes.BookingsRead)]
    [ProducesResponseType<OrganizerBookingAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverineGet("/v0/bookings/{id}", OperationId = "getBooking")]
    public static async Task<IResult> Get(Guid id, ClaimsPrincipal caller, IQuerySession db, CancellationToken ct)
    {
        if (await OrganizerBookings.HeldByAsync(db, id, caller.UserId(), ct) is not { } booking)
            return Problems.Result(Problems.NotFound("Booking not found."));
        return Results.Json(new OrganizerBookingAnswer(true, (await OrganizerBookings.JsonAsync(db, [booking], ct))[0]));
    }
}

/// <summary>The filters both lists of an organizer's bookings take (<c>/v0/bookings</c> and <c>/v0/me/bookings</c>).</summary>
public static class BookingFilterChecks
{
    public static FieldErrors BookingFilters(this FieldErrors errors, string? from, string? to, string? status, string? limit) => errors
        .When(from is not null && Instants.Parse(from) is null, "from", "from must be an ISO-8601 instant with an offset.")
        .When(to is not null && Instants.Parse(to) is null, "to", "to must be an ISO-8601 instant with an offset.")
        .When(status is not null && BookingStatusText.Parse(status) is null, "status", "status must be confirmed, canceled or rescheduled.")
        .When(limit is not null && !(int.TryParse(limit, NumberStyles.None, null, out var n) && n is >= 1 and <= BookingsApiEndpoints.MostPerPage), "limit",
            $"limit must be a whole number from 1 to {BookingsApiEndpoints.MostPerPage}.");
}

/// <summary>Booking statuses as the API spells them.</summary>
public static class BookingStatusText
{
    public static BookingStatus? Parse(string text) => text switch
    {
        "confirmed" => BookingStatus.Confirmed,
        "canceled" => BookingStatus.Canceled,
        "rescheduled" => BookingStatus.Rescheduled,
        _ => null,
    };
}

/// <summary>Bookings as their organizer (or an assigned member) reads them, with the event type's name and labelled answers.</summary>
public static class OrganizerBookings
{
    /// <summary>The bookings <paramref name="userId"/> organizes or is assigned to, as a query filter (<see cref="HeldByAsync"/> checks one loaded booking the same way).</summary>
    public static Expression<Func<Booking, bool>> HeldBy(Guid userId) => b => b.OrganizerId == userId || b.ReservedUserIds.Contains(userId);

    /// <summary>The booking, if <paramref name="userId"/> organizes it or is assigned to it; anyone else's reads as missing.</summary>
    public static async Task<Booking?> HeldByAsync(IQuerySession db, Guid id, Guid userId, CancellationToken ct) =>
        await db.LoadAsync<Booking>(id, ct) is { } booking && (booking.OrganizerId == userId || booking.ReservedUserIds.Contains(userId)) ? booking : null;

    public static async Task<IReadOnlyList<OrganizerBookingJson>> JsonAsync(IQuerySession db, IReadOnlyList<Booking> bookings, CancellationToken ct)
    {
        var ids = bookings.Select(b => b.EventTypeId).Distinct().ToArray();
        var eventTypes = ids.Length == 0 ? [] : (await db.LoadManyAsync<EventType>(ct, ids)).ToDictionary(e => e.Id);
        return [.. bookings.Select(b => new OrganizerBookingJson(
            b.Id, b.EventTypeId, eventTypes.GetValueOrDefault(b.EventTypeId)?.Name, b.Status, b.StartsAt, b.EndsAt,
            b.InviteeName, b.InviteeEmail, b.InviteeTimezone, AnswerJson.Of(b, eventTypes.GetValueOrDefault(b.EventTypeId)),
            b.CancelReason, b.ReservedUserIds, b.TeamId, b.RescheduledFromBookingId, b.RescheduledToBookingId, b.UpdatedAt))];
    }
}

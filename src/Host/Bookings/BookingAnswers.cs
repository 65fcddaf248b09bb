using System.Text.Json;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpenCalendly.Host.Api;
using OpenCalendly.Scheduling.Bookings;
using Wolverine;
using Wolverine.Runtime;

namespace OpenCalendly.Host.Bookings;

/// <summary>A booking as <c>POST /v0/bookings</c> and <c>/v0/team-bookings</c> answer it; team fields only for team bookings.</summary>
public sealed record BookingJson(
    Guid Id, Guid EventTypeId, Guid OrganizerId, string InviteeName, string InviteeEmail, DateTimeOffset StartsAt, DateTimeOffset EndsAt,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<Guid>? AssignmentUserIds,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    OpenCalendly.Scheduling.EventTypes.TeamMode? TeamMode,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    SeatJson? Seat = null);

/// <summary>
/// Renders booking answers to the exact bytes that are sent and stored for idempotent replay,
/// with the same JSON settings as every other response.
/// </summary>
public sealed partial class BookingAnswers(
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IConfiguration config, ILogger<BookingAnswers> logger)
{
    private readonly JsonSerializerOptions _options = json.Value.SerializerOptions;

    public string Render<T>(T value) => JsonSerializer.Serialize(value, _options);

    /// <summary>Counts and logs a booking change once <paramref name="session"/> commits it (never one that rolled back).</summary>
    public void CountOnCommit(Marten.IDocumentSession session, Booking booking, string change) =>
        session.Listeners.Add(new AfterCommit(() => Committed(booking, change)));

    private void Committed(Booking booking, string change)
    {
        Telemetry.Booking(change);
        BookingChanged(logger, booking.Id, change, booking.EventTypeId, booking.StartsAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Booking {BookingId} {Change} (event type {EventTypeId}, starts {StartsAt:o})")]
    private static partial void BookingChanged(ILogger logger, Guid bookingId, string change, Guid eventTypeId, DateTimeOffset startsAt);

    /// <summary>Logs a booking the reservation constraint refused at commit.</summary>
    public void SlotRefusedByDatabase() => SlotRefusedByDatabase(logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slot refused by the reservation constraint at commit")]
    private static partial void SlotRefusedByDatabase(ILogger logger);

    public BookingConfirmedAnswer Confirmed(HttpContext http, BookingConfirmed booking, ActionTokens tokens, EffectCounts queued) => new(
        true,
        new BookingJson(booking.BookingId, booking.EventTypeId, booking.OrganizerId, booking.InviteeName, booking.InviteeEmail,
            booking.StartsAt, booking.EndsAt, booking.TeamId is null ? null : booking.ReservedUserIds, booking.TeamMode,
            SeatJson.Of(booking.Seat, booking.StartsAt)),
        Actions(http, tokens, booking.ActionTokensExpireAt),
        new(queued.Emails), new(queued.Webhooks), new(queued.Writebacks), new(queued.Reminders));

    /// <summary>The action links of a booking: the raw tokens appear only here, in the answer to its creator.</summary>
    public ActionLinksJson Actions(HttpContext http, ActionTokens tokens, DateTimeOffset expiresAt)
    {
        var baseUrl = PublicUrls.Base(config, http.Request);
        // The manage link does both actions on one page (no single action URL), and keeps managing the booking
        // through reschedules made with it.
        return new(Link(baseUrl, tokens.Cancel, "cancel", expiresAt), Link(baseUrl, tokens.Reschedule, "reschedule", expiresAt),
            Link(baseUrl, tokens.Manage, null, expiresAt));
    }

    /// <summary>The page a link opens (served by the front end; the reference web app's path).</summary>
    public static string PageUrl(string baseUrl, string token) => $"{baseUrl}/bookings/actions/{token}";

    private static ActionLinkJson Link(string baseUrl, string token, string? action, DateTimeOffset expiresAt) => new(
        token, expiresAt, PageUrl(baseUrl, token), $"{baseUrl}/v0/bookings/actions/{token}",
        action is null ? null : $"{baseUrl}/v0/bookings/actions/{token}/{action}");
}

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
    OpenCalendly.Scheduling.EventTypes.TeamMode? TeamMode);

/// <summary>
/// Renders booking answers to the exact bytes that are sent and stored for idempotent replay,
/// with the same JSON settings as every other response.
/// </summary>
public sealed partial class BookingAnswers(
    IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, IConfiguration config, Idempotency idempotency, ILogger<BookingAnswers> logger)
{
    private readonly JsonSerializerOptions _options = json.Value.SerializerOptions;

    public string Render<T>(T value) => JsonSerializer.Serialize(value, _options);

    /// <summary>
    /// Runs a booking mutation once per <c>Idempotency-Key</c>: a known key replays its stored answer; a
    /// refusal by the database (the slot was taken at commit) is stored as 409 after the rollback; any other
    /// failure frees the key, so the client may retry it. Messages queued by a failed attempt are dropped.
    /// </summary>
    public async Task<IResult> OnceAsync(
        HttpContext http, string scope, IMessageBus bus, DateTimeOffset now, Func<IdempotencyRecord, Task<IResult>> work, CancellationToken ct)
    {
        var claim = await idempotency.ClaimAsync(http, scope, now, ct);
        if (claim is Claim.Answered answered) return answered.Result;
        var record = ((Claim.Fresh)claim).Record;
        try
        {
            return await work(record);
        }
        catch (Exception e) when (DatabaseConflicts.IsSlotConflict(e))
        {
            await ((MessageContext)bus).ClearAllAsync();
            Telemetry.SlotTaken.Add(1);
            SlotRefusedByDatabase(logger, scope);
            return await idempotency.CompleteAloneAsync(record, 409, Render(Problems.SlotTaken()), ct);
        }
        catch
        {
            await ((MessageContext)bus).ClearAllAsync();
            await idempotency.ReleaseAsync(record);
            throw;
        }
    }

    /// <summary>Stores the success answer in the work's own transaction.</summary>
    public IResult Succeed(IDocumentSession session, IdempotencyRecord record, string body) =>
        idempotency.Complete(session, record, 200, body);

    /// <summary>Counts and logs a committed booking change (after the commit, so nothing rolled back is reported).</summary>
    public void Committed(Booking booking, string change)
    {
        Telemetry.Booking(change);
        BookingChanged(logger, booking.Id, change, booking.EventTypeId, booking.StartsAt);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Booking {BookingId} {Change} (event type {EventTypeId}, starts {StartsAt:o})")]
    private static partial void BookingChanged(ILogger logger, Guid bookingId, string change, Guid eventTypeId, DateTimeOffset startsAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Slot refused by the reservation constraint at commit ({Scope})")]
    private static partial void SlotRefusedByDatabase(ILogger logger, string scope);

    /// <summary>Stores a refusal as the key's answer. Nothing else commits with it: a refusal changes nothing.</summary>
    public async Task<IResult> RefuseAsync(IdempotencyRecord record, ProblemDetails problem, CancellationToken ct)
    {
        if (problem.Type == "/problems/slot-taken") Telemetry.SlotTaken.Add(1);
        return await idempotency.CompleteAloneAsync(record, problem.Status!.Value, Render(problem), ct);
    }

    public string Confirmed(HttpContext http, BookingConfirmed booking, ActionTokens tokens, int emailsQueued, int webhooksQueued, int writebacksQueued, int remindersScheduled)
    {
        return Render(new
        {
            ok = true,
            booking = new BookingJson(booking.BookingId, booking.EventTypeId, booking.OrganizerId, booking.InviteeName, booking.InviteeEmail,
                booking.StartsAt, booking.EndsAt, booking.TeamId is null ? null : booking.ReservedUserIds, booking.TeamMode),
            actions = Actions(http, tokens, booking.ActionTokensExpireAt),
            email = new { queued = emailsQueued },
            webhooks = new { queued = webhooksQueued },
            calendarWriteback = new { queued = writebacksQueued },
            reminders = new { scheduled = remindersScheduled },
        });
    }

    /// <summary>The action links of a booking: the raw tokens appear only here, in the answer to its creator.</summary>
    public object Actions(HttpContext http, ActionTokens tokens, DateTimeOffset expiresAt)
    {
        var baseUrl = PublicUrls.Base(config, http.Request);
        return new
        {
            cancel = Link(baseUrl, tokens.Cancel, "cancel", expiresAt),
            reschedule = Link(baseUrl, tokens.Reschedule, "reschedule", expiresAt),
        };
    }

    private static object Link(string baseUrl, string token, string action, DateTimeOffset expiresAt) => new
    {
        token,
        expiresAt,
        lookupUrl = $"{baseUrl}/v0/bookings/actions/{token}",
        url = $"{baseUrl}/v0/bookings/actions/{token}/{action}",
    };
}

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
    /// Runs a booking mutation once per <c>Idempotency-Key</c>. The work claims the key
    /// (<see cref="Answering.ClaimAsync"/>) before it changes anything, and a known key then replays its stored
    /// answer; a refusal decided before the claim is stored together with the key, in one statement. A refusal by
    /// the database (the slot was taken at commit) is stored as 409 after the rollback; any other failure frees a
    /// claimed key, so the client may retry it. Messages queued by a failed attempt are dropped.
    /// </summary>
    public async Task<IResult> OnceAsync(
        HttpContext http, string scope, IMessageBus bus, DateTimeOffset now, Func<Answering, Task<IResult>> work, CancellationToken ct)
    {
        var answering = new Answering(this, idempotency, Idempotency.KeyOf(http, scope), now);
        try
        {
            return await work(answering);
        }
        catch (Exception e) when (DatabaseConflicts.IsSlotConflict(e) && answering.Record is { } record)
        {
            await ((MessageContext)bus).ClearAllAsync();
            Telemetry.SlotTaken.Add(1);
            SlotRefusedByDatabase(logger, scope);
            return await idempotency.CompleteAloneAsync(record, 409, Render(Problems.SlotTaken()), ct);
        }
        catch
        {
            await ((MessageContext)bus).ClearAllAsync();
            if (answering.Record is { } record) await idempotency.ReleaseAsync(record);
            throw;
        }
    }

    /// <summary>One request on its way to its stored answer: the key, claimed before anything changes, then a success or a refusal.</summary>
    public sealed class Answering(BookingAnswers answers, Idempotency idempotency, IdempotencyKey key, DateTimeOffset now)
    {
        /// <summary>The key once this request has claimed it.</summary>
        public IdempotencyRecord? Record { get; private set; }

        /// <summary>Claims the key: null to go on, or the answer to give instead (the stored one, or a conflict).</summary>
        public async Task<IResult?> ClaimAsync(CancellationToken ct)
        {
            switch (await idempotency.ClaimAsync(key, now, ct))
            {
                case Claim.Fresh fresh:
                    Record = fresh.Record;
                    return null;
                case Claim.Answered answered:
                    return answered.Result;
                default:
                    throw new InvalidOperationException();
            }
        }

        /// <summary>Stores the success answer in the work's own transaction.</summary>
        public IResult Succeed(IDocumentSession session, string body) =>
            idempotency.Complete(session, Record ?? throw new InvalidOperationException("Claim the key before changing anything."), 200, body);

        /// <summary>
        /// Stores a refusal decided outside any transaction as the key's answer, in one autocommitted statement.
        /// Nothing else commits with it: a refusal changes nothing.
        /// </summary>
        public async Task<IResult> RefuseAsync(ProblemDetails problem, CancellationToken ct)
        {
            var body = Refusal(problem);
            return Record is { } record
                ? await idempotency.CompleteAloneAsync(record, problem.Status!.Value, body, ct)
                : await idempotency.AnswerAsync(key, now, problem.Status!.Value, body, ct);
        }

        /// <summary>
        /// Stores a refusal decided inside the work's transaction by committing it with only the answer in it
        /// (nothing was changed before a decision), so the request never needs a second connection while it
        /// holds one, and the commit releases its locks.
        /// </summary>
        public async Task<IResult> RefuseAsync(IDocumentSession session, ProblemDetails problem, CancellationToken ct)
        {
            var result = idempotency.Complete(session, Record ?? throw new InvalidOperationException("Claim the key before the transaction."),
                problem.Status!.Value, Refusal(problem));
            await session.SaveChangesAsync(ct);
            return result;
        }

        private string Refusal(ProblemDetails problem)
        {
            if (problem.Type == "/problems/slot-taken") Telemetry.SlotTaken.Add(1);
            return answers.Render(problem);
        }
    }

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

    public string Confirmed(HttpContext http, BookingConfirmed booking, ActionTokens tokens, int emailsQueued, int webhooksQueued, int writebacksQueued, int remindersScheduled)
    {
        return Render(new BookingConfirmedAnswer(
            true,
            new BookingJson(booking.BookingId, booking.EventTypeId, booking.OrganizerId, booking.InviteeName, booking.InviteeEmail,
                booking.StartsAt, booking.EndsAt, booking.TeamId is null ? null : booking.ReservedUserIds, booking.TeamMode),
            Actions(http, tokens, booking.ActionTokensExpireAt),
            new(emailsQueued), new(webhooksQueued), new(writebacksQueued), new(remindersScheduled)));
    }

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

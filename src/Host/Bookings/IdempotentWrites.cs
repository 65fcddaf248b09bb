using System.Runtime.ExceptionServices;
using Marten;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using Wolverine.Http;

namespace OpenCalendly.Host.Bookings;

/// <summary>
/// Idempotency for every endpoint marked <see cref="IdempotentAttribute"/>, as one Wolverine middleware: before the body
/// is read it refuses a request without a usable <c>Idempotency-Key</c> and hands the endpoint its
/// <see cref="IdempotentRequest"/>; if the database refuses the booking at commit it stores 409 as the key's answer after
/// the rollback; any other failure frees a claimed key, so the client may retry with it.
/// </summary>
public static class IdempotentWrites
{
    public static (ProblemDetails, IdempotentRequest) Before(HttpContext http, Idempotency idempotency, BookingAnswers answers, TimeProvider clock)
    {
        var problem = Idempotency.ValidateHeader(http.Request);
        return (problem, new IdempotentRequest(answers, idempotency, Idempotency.KeyOf(http, Scope(http)), clock.GetUtcNow()));
    }

    /// <summary>
    /// The database refused what the endpoint committed (the exclusion constraint: the slot was taken at commit). The
    /// transaction rolled back, so the answer is stored on its own — the one step Wolverine's transaction cannot take,
    /// because it is about that transaction's failure. Anything else frees the key and goes on to the exception handler.
    /// </summary>
    public static async Task<IResult> OnExceptionAsync(Exception e, IdempotentRequest request, HttpContext http)
    {
        // Failing after the answer went out (the commit was made), the key keeps that answer.
        if (http.Response.HasStarted) ExceptionDispatchInfo.Throw(e);
        if (DatabaseConflicts.IsSlotConflict(e) && await request.RefusedByDatabaseAsync(http.RequestAborted) is { } refused)
            return refused;
        await request.ReleaseAsync();
        ExceptionDispatchInfo.Throw(e);
        throw e;
    }

    /// <summary>
    /// A key is scoped by route: the path, with a link's token (a secret) replaced by its hash, so the same key sent to
    /// two bookings' links is two keys.
    /// </summary>
    private static string Scope(HttpContext http)
    {
        var path = http.Request.Path.Value ?? "";
        if (http.GetRouteValue("token") is string token && token.Length > 0) path = path.Replace(token, Tokens.Hash(token));
        return $"{http.Request.Method} {path}";
    }
}

/// <summary>
/// One request on its way to its stored answer: the key, claimed by the endpoint once it is about to change something,
/// then a success (stored in the work's transaction) or a refusal.
/// </summary>
public sealed class IdempotentRequest(BookingAnswers answers, Idempotency idempotency, IdempotencyKey key, DateTimeOffset now)
{
    /// <summary>The key once this request has claimed it.</summary>
    private IdempotencyRecord? Record { get; set; }

    /// <summary>When the request arrived: every decision it makes uses this instant.</summary>
    public DateTimeOffset Now => now;

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

    /// <summary>
    /// Stores the success answer in <paramref name="session"/>, so it commits with the work; the answer to send.
    /// <paramref name="bookingId"/> names the booking it shows, so an invitee's erasure can drop it.
    /// </summary>
    public IResult Succeed<T>(IDocumentSession session, T answer, Guid bookingId) =>
        idempotency.Complete(session, Record ?? throw new InvalidOperationException("Claim the key before changing anything."), 200, answers.Render(answer), bookingId);

    /// <summary>
    /// Stores a refusal decided outside any transaction as the key's answer, in one autocommitted statement — with the
    /// key itself if it was not claimed yet. Nothing else commits with it: a refusal changes nothing.
    /// </summary>
    public async Task<IResult> RefuseAsync(ProblemDetails problem, CancellationToken ct)
    {
        var body = Refusal(problem);
        return Record is { } record
            ? await idempotency.CompleteAloneAsync(record, problem.Status!.Value, body, ct)
            : await idempotency.AnswerAsync(key, now, problem.Status!.Value, body, ct);
    }

    /// <summary>
    /// Stores a refusal decided inside <paramref name="session"/>'s transaction by committing it with only the answer in
    /// it (nothing was changed before a decision), so the request never needs a second connection while it holds one,
    /// and the commit releases its locks.
    /// </summary>
    public async Task<IResult> RefuseAsync(IDocumentSession session, ProblemDetails problem, CancellationToken ct)
    {
        var result = idempotency.Complete(session, Record ?? throw new InvalidOperationException("Claim the key before the transaction."),
            problem.Status!.Value, Refusal(problem));
        await session.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>The database refused the work at commit: its 409, stored alone; null if the key was never claimed.</summary>
    internal async Task<IResult?> RefusedByDatabaseAsync(CancellationToken ct)
    {
        if (Record is not { } record) return null;
        Telemetry.SlotTaken.Add(1);
        answers.SlotRefusedByDatabase();
        return await idempotency.CompleteAloneAsync(record, 409, answers.Render(Problems.SlotTaken()), ct);
    }

    /// <summary>Frees the key after a failure we did not answer (5xx), so the client may retry with it.</summary>
    internal async Task ReleaseAsync()
    {
        if (Record is { } record) await idempotency.ReleaseAsync(record);
        Record = null;
    }

    private string Refusal(ProblemDetails problem)
    {
        if (problem.Type == "/problems/slot-taken") Telemetry.SlotTaken.Add(1);
        return answers.Render(problem);
    }
}

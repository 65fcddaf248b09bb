using System.Security.Cryptography;
using System.Text;
using Marten;
using JasperFx;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Integrations.Secrets;

namespace OpenCalendly.Host.Bookings;

/// <summary>
/// A claimed <c>Idempotency-Key</c> within its scope (route, and caller where signed in). The stored answer
/// is sealed at rest because a booking's answer carries its action tokens.
/// </summary>
public sealed class IdempotencyRecord
{
    public string Id { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public DateTimeOffset ClaimedAt { get; set; }
    public int? Status { get; set; }
    public string? SealedBody { get; set; }
}

/// <summary>What claiming a key found.</summary>
public abstract record Claim
{
    /// <summary>The key is ours: run the request, then <see cref="Idempotency.Complete"/> it in the same transaction.</summary>
    public sealed record Fresh(IdempotencyRecord Record) : Claim;

    /// <summary>Answer with this instead of running the request.</summary>
    public sealed record Answered(IResult Result) : Claim;
}

public sealed class Idempotency(IDocumentStore store, Npgsql.NpgsqlDataSource dataSource, SecretBox secrets)
{
    public const string Header = "Idempotency-Key";

    /// <summary>
    /// A claim without an answer this old belongs to a request that died with its process (an answered
    /// request takes seconds): the next request with the same key and body takes it over.
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    public static void Apply(StoreOptions opts) => opts.Schema.For<IdempotencyRecord>();

    public static ProblemDetails ValidateHeader(HttpRequest request) =>
        request.Headers[Header].ToString() is { Length: >= 16 and <= 200 } key && !key.Any(char.IsControl)
            ? Wolverine.Http.WolverineContinue.NoProblems
            : Problems.Create(400, "idempotency-key-required", "Send an Idempotency-Key header of 16–200 characters.");

    /// <summary>
    /// Claims the key in its own short transaction: the primary key makes a concurrent twin fail here,
    /// and the first request's answer is later stored in the same transaction as its events.
    /// </summary>
    public async Task<Claim> ClaimAsync(HttpContext http, string scope, DateTimeOffset now, CancellationToken ct)
    {
        var key = http.Request.Headers[Header].ToString();
        var id = Hex(Encoding.UTF8.GetBytes($"{scope}\n{key}"));
        var requestHash = Hex(http.Items[JsonBodyGate.RawBodyKey] as byte[] ?? []);
        var record = new IdempotencyRecord { Id = id, RequestHash = requestHash, ClaimedAt = now };

        await using var session = store.LightweightSession();
        session.Insert(record);
        try
        {
            await session.SaveChangesAsync(ct);
            return new Claim.Fresh(record);
        }
        catch (DocumentAlreadyExistsException)
        {
        }

        var existing = await store.QuerySession().LoadAsync<IdempotencyRecord>(id, ct);
        if (existing is null || existing.RequestHash != requestHash)
            return Conflict("idempotency-mismatch", "This Idempotency-Key was used with a different request body.");
        if (existing.Status is not { } status || existing.SealedBody is null)
            return await TakeOverAsync(existing, now, ct)
                ? new Claim.Fresh(existing)
                : Conflict("idempotency-in-progress", "A request with this Idempotency-Key is still being processed.");
        if (secrets.Open(existing.SealedBody) is not { } body)
            return Conflict("idempotency-expired", "The stored answer for this Idempotency-Key can no longer be read; use a new key.");

        return new Claim.Answered(Replay(status, body));
    }

    /// <summary>Moves an abandoned claim to this request; of two requests racing for it, one wins.</summary>
    private async Task<bool> TakeOverAsync(IdempotencyRecord abandoned, DateTimeOffset now, CancellationToken ct)
    {
        if (abandoned.ClaimedAt > now - AbandonedAfter) return false;
        var table = store.Options.Schema.For<IdempotencyRecord>();
        await using var command = dataSource.CreateCommand(
            $"update {table} set data = jsonb_set(data, '{{claimedAt}}', to_jsonb($1::text)) " +
            "where id = $2 and data->>'sealedBody' is null " +
            // The stored text carries 100 ns ticks, PostgreSQL microseconds: compare within a millisecond.
            "and abs(extract(epoch from (data->>'claimedAt')::timestamptz - $3)) < 0.001");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = now.ToString("O", System.Globalization.CultureInfo.InvariantCulture) });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = abandoned.Id });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = abandoned.ClaimedAt.ToUniversalTime() });
        if (await command.ExecuteNonQueryAsync(ct) != 1) return false;
        abandoned.ClaimedAt = now;
        return true;
    }

    /// <summary>Stores the final answer in <paramref name="session"/>, so it commits or rolls back with the work.</summary>
    public IResult Complete(IDocumentSession session, IdempotencyRecord record, int status, string body)
    {
        record.Status = status;
        record.SealedBody = secrets.Seal(body);
        session.Store(record);
        return Replay(status, body);
    }

    /// <summary>Stores an answer decided after the work's transaction failed (the database refused the booking).</summary>
    public async Task<IResult> CompleteAloneAsync(IdempotencyRecord record, int status, string body, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var result = Complete(session, record, status, body);
        await session.SaveChangesAsync(ct);
        return result;
    }

    /// <summary>Frees the key after a failure we did not answer (5xx), so the client may retry with it.</summary>
    public async Task ReleaseAsync(IdempotencyRecord record)
    {
        await using var session = store.LightweightSession();
        session.Delete<IdempotencyRecord>(record.Id);
        await session.SaveChangesAsync(CancellationToken.None);
    }

    private static IResult Replay(int status, string body) =>
        Results.Text(body, status >= 400 ? "application/problem+json" : "application/json", Encoding.UTF8, status);

    private static Claim Conflict(string type, string message) =>
        new Claim.Answered(Problems.Result(Problems.Create(409, type, message)));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

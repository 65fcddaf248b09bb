using System.Security.Cryptography;
using System.Text;
using Marten;
using Npgsql;
using OpenCalendly.Projections;
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

/// <summary>
/// Claimed keys and their answers: a plain table rather than a document, because a claim is on the path of every
/// booking and of every request refused in a crowd — one autocommitted statement, not a session's transaction.
/// </summary>
public sealed class IdempotencyKeysTable(string schema) : ExplicitTable(schema, TableName)
{
    public const string TableName = "idempotency_keys";

    protected override string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            id text PRIMARY KEY,
            request_hash text NOT NULL,
            claimed_at timestamptz NOT NULL,
            status integer,
            sealed_body text
        );
        """;
}

/// <summary>
/// Which booking a stored answer shows (its invitee, answers and links), so erasing an invitee can drop the answers
/// that would replay their data. Goes with its key (a pruned or freed key takes its row along).
/// </summary>
public sealed class IdempotencyBookingsTable(string schema, IdempotencyKeysTable keys) : ExplicitTable(schema, TableName)
{
    public const string TableName = "idempotency_bookings";

    protected override string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            key_id text PRIMARY KEY REFERENCES {keys.QualifiedName} (id) ON DELETE CASCADE,
            booking_id uuid NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idempotency_bookings_by_booking ON {QualifiedName} (booking_id);
        """;
}

/// <summary>A request's <c>Idempotency-Key</c> within its scope (hashed), and the hash of the body it came with.</summary>
public sealed record IdempotencyKey(string Id, string RequestHash);

/// <summary>What claiming a key found.</summary>
public abstract record Claim
{
    /// <summary>The key is ours: run the request, then <see cref="Idempotency.Complete"/> it in the same transaction.</summary>
    public sealed record Fresh(IdempotencyRecord Record) : Claim;

    /// <summary>Answer with this instead of running the request.</summary>
    public sealed record Answered(IResult Result) : Claim;
}

public sealed class Idempotency(Npgsql.NpgsqlDataSource dataSource, SecretBox secrets)
{
    public const string Header = "Idempotency-Key";

    /// <summary>
    /// A claim without an answer this old belongs to a request that died with its process (an answered
    /// request takes seconds): the next request with the same key and body takes it over.
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(2);

    public static IdempotencyKeysTable Table { get; } = new(StoreConfiguration.Schema);

    public static IdempotencyBookingsTable Bookings { get; } = new(StoreConfiguration.Schema, Table);

    public static void Apply(StoreOptions opts)
    {
        opts.Storage.ExtendedSchemaObjects.Add(Table);
        opts.Storage.ExtendedSchemaObjects.Add(Bookings);
    }

    /// <summary>Drops, in <paramref name="session"/>, every stored answer that shows one of <paramref name="bookingIds"/>.</summary>
    public static void ForgetAnswersOf(IDocumentSession session, IReadOnlyList<Guid> bookingIds) =>
        session.QueueSqlCommand($"delete from {Table.QualifiedName} where id in (select key_id from {Bookings.QualifiedName} where booking_id = any(?))",
            bookingIds.ToArray());

    /// <summary>How long a usable key is, in characters (the check and the OpenAPI document both say it).</summary>
    public const int MinKeyLength = 16, MaxKeyLength = 200;

    public static ProblemDetails ValidateHeader(HttpRequest request) =>
        request.Headers[Header].ToString() is { Length: >= MinKeyLength and <= MaxKeyLength } key && !key.Any(char.IsControl)
            ? Wolverine.Http.WolverineContinue.NoProblems
            : Problems.Create(400, "idempotency-key-required", $"Send an Idempotency-Key header of {MinKeyLength}–{MaxKeyLength} characters.");

    /// <summary>The request's key within <paramref name="scope"/>, and a hash of the body it came with.</summary>
    public static IdempotencyKey KeyOf(HttpContext http, string scope) => new(
        Hex(Encoding.UTF8.GetBytes($"{scope}\n{http.Request.Headers[Header]}")),
        Hex(http.Items[JsonBodyGate.RawBodyKey] as byte[] ?? []));

    /// <summary>
    /// Claims the key in one autocommitted insert: the primary key makes a concurrent twin fail here,
    /// and the first request's answer is later stored in the same transaction as its events.
    /// </summary>
    public async Task<Claim> ClaimAsync(IdempotencyKey key, DateTimeOffset now, CancellationToken ct)
    {
        await using (var claim = Command(
            $"insert into {Table.QualifiedName} (id, request_hash, claimed_at) values ($1, $2, $3) on conflict (id) do nothing",
            key.Id, key.RequestHash, now.ToUniversalTime()))
            if (await claim.ExecuteNonQueryAsync(ct) == 1)
                return new Claim.Fresh(new IdempotencyRecord { Id = key.Id, RequestHash = key.RequestHash, ClaimedAt = now });
        return await ClaimedAlreadyAsync(key, now, ct);
    }

    /// <summary>
    /// Stores an answer decided before the key was claimed (a refusal that changed nothing): the key and its
    /// answer in one insert. If a twin claimed the key first, its answer is the answer — or, if it died
    /// without one, ours replaces it.
    /// </summary>
    public async Task<IResult> AnswerAsync(IdempotencyKey key, DateTimeOffset now, int status, string body, CancellationToken ct)
    {
        await using (var answer = Command(
            $"insert into {Table.QualifiedName} (id, request_hash, claimed_at, status, sealed_body) values ($1, $2, $3, $4, $5) on conflict (id) do nothing",
            key.Id, key.RequestHash, now.ToUniversalTime(), status, secrets.Seal(body)))
            if (await answer.ExecuteNonQueryAsync(ct) == 1) return Replay(status, body);
        return await ClaimedAlreadyAsync(key, now, ct) switch
        {
            Claim.Answered answered => answered.Result,
            Claim.Fresh fresh => await CompleteAloneAsync(fresh.Record, status, body, ct),
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>What a key someone already claimed means for this request: their answer, a conflict, or theirs to take over.</summary>
    private async Task<Claim> ClaimedAlreadyAsync(IdempotencyKey key, DateTimeOffset now, CancellationToken ct)
    {
        var existing = await LoadAsync(key.Id, ct);
        if (existing is null || existing.RequestHash != key.RequestHash)
            return Conflict("idempotency-mismatch", "This Idempotency-Key was used with a different request body.");
        if (existing.Status is not { } status || existing.SealedBody is null)
            return await TakeOverAsync(existing, now, ct)
                ? new Claim.Fresh(existing)
                : new Claim.Answered(Problems.RetryAfter(
                    Problems.Result(Problems.Create(409, "idempotency-in-progress", "A request with this Idempotency-Key is still being processed.")),
                    TimeSpan.FromSeconds(1)));
        if (secrets.Open(existing.SealedBody) is not { } body)
            return Conflict("idempotency-expired", "The stored answer for this Idempotency-Key can no longer be read; use a new key.");

        return new Claim.Answered(Replay(status, body));
    }

    private async Task<IdempotencyRecord?> LoadAsync(string id, CancellationToken ct)
    {
        await using var command = Command($"select request_hash, claimed_at, status, sealed_body from {Table.QualifiedName} where id = $1", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new IdempotencyRecord
        {
            Id = id,
            RequestHash = reader.GetString(0),
            ClaimedAt = reader.GetFieldValue<DateTimeOffset>(1),
            Status = reader.IsDBNull(2) ? null : reader.GetInt32(2),
            SealedBody = reader.IsDBNull(3) ? null : reader.GetString(3),
        };
    }

    /// <summary>Moves an abandoned claim to this request; of two requests racing for it, one wins.</summary>
    private async Task<bool> TakeOverAsync(IdempotencyRecord abandoned, DateTimeOffset now, CancellationToken ct)
    {
        if (abandoned.ClaimedAt > now - AbandonedAfter) return false;
        await using var command = Command(
            $"update {Table.QualifiedName} set claimed_at = $1 where id = $2 and sealed_body is null and claimed_at = $3",
            now.ToUniversalTime(), abandoned.Id, abandoned.ClaimedAt);
        if (await command.ExecuteNonQueryAsync(ct) != 1) return false;
        abandoned.ClaimedAt = now;
        return true;
    }

    /// <summary>Stores the final answer in <paramref name="session"/>, so it commits or rolls back with the work.</summary>
    /// <param name="bookingId">The booking the answer shows, if any (see <see cref="IdempotencyBookingsTable"/>).</param>
    public IResult Complete(IDocumentSession session, IdempotencyRecord record, int status, string body, Guid? bookingId = null)
    {
        Answer(record, status, body);
        session.QueueSqlCommand($"update {Table.QualifiedName} set status = ?, sealed_body = ? where id = ?", status, record.SealedBody!, record.Id);
        if (bookingId is { } id)
            session.QueueSqlCommand($"insert into {Bookings.QualifiedName} (key_id, booking_id) values (?, ?) on conflict (key_id) do nothing", record.Id, id);
        return Replay(status, body);
    }

    /// <summary>
    /// Stores an answer decided without committing any work (a refusal, or the database refused the booking and
    /// its transaction rolled back), in one autocommitted statement.
    /// </summary>
    public async Task<IResult> CompleteAloneAsync(IdempotencyRecord record, int status, string body, CancellationToken ct)
    {
        Answer(record, status, body);
        await using var command = Command($"update {Table.QualifiedName} set status = $1, sealed_body = $2 where id = $3", status, record.SealedBody!, record.Id);
        await command.ExecuteNonQueryAsync(ct);
        return Replay(status, body);
    }

    /// <summary>
    /// Frees the key after a failure we did not answer (5xx), so the client may retry with it — unless the work committed
    /// after all (its answer is stored with it: a connection that broke after the commit) or another request took the key
    /// over. When the database itself is away (a failover), the release is tried again each second until it is back, in the
    /// background, rather than leave the retry <c>in-progress</c> until the claim counts as abandoned.
    /// </summary>
    public async Task ReleaseAsync(IdempotencyRecord record)
    {
        try
        {
            await DeleteClaimAsync(record, CancellationToken.None);
        }
        catch (Exception e) when (DatabaseConflicts.IsUnavailable(e))
        {
            _ = Task.Run(() => ReleaseLaterAsync(record));
        }
    }

    private async Task ReleaseLaterAsync(IdempotencyRecord record)
    {
        for (var waited = TimeSpan.Zero; waited < AbandonedAfter; waited += TimeSpan.FromSeconds(1))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            try
            {
                await DeleteClaimAsync(record, CancellationToken.None);
                return;
            }
            catch (Exception e) when (DatabaseConflicts.IsUnavailable(e))
            {
                // still away: the claim counts as abandoned after AbandonedAfter anyway
            }
        }
    }

    private async Task DeleteClaimAsync(IdempotencyRecord record, CancellationToken ct)
    {
        await using var command = Command(
            $"delete from {Table.QualifiedName} where id = $1 and sealed_body is null and claimed_at = $2", record.Id, record.ClaimedAt.ToUniversalTime());
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Deletes the keys claimed before <paramref name="claimedBefore"/> and their answers, 5,000 rows a statement so
    /// none holds many at once; how many. A claim that old is long answered or abandoned.
    /// </summary>
    /// <param name="refusedBefore">
    /// Refusals (answers of 400 and above) go sooner: they changed nothing, so keeping them only serves a retry, and a
    /// stream of refused requests with fresh keys should not fill the table for a week.
    /// </param>
    public async Task<long> PruneAsync(DateTimeOffset claimedBefore, CancellationToken ct, DateTimeOffset? refusedBefore = null)
    {
        const int batch = 5000;
        long total = 0;
        while (true)
        {
            await using var command = Command(
                $"delete from {Table.QualifiedName} where id in (select id from {Table.QualifiedName} " +
                $"where claimed_at < $1 or (status >= 400 and claimed_at < $2) limit {batch})",
                claimedBefore.ToUniversalTime(), (refusedBefore ?? claimedBefore).ToUniversalTime());
            var deleted = await command.ExecuteNonQueryAsync(ct);
            total += deleted;
            if (deleted < batch) return total;
        }
    }

    /// <summary>An autocommitted statement with positional parameters <c>$1…</c>.</summary>
    private NpgsqlCommand Command(string sql, params object[] values)
    {
        var command = dataSource.CreateCommand(sql);
        foreach (var value in values) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return command;
    }

    private void Answer(IdempotencyRecord record, int status, string body)
    {
        record.Status = status;
        record.SealedBody = secrets.Seal(body);
    }

    private static IResult Replay(int status, string body) =>
        Results.Text(body, status >= 400 ? "application/problem+json" : "application/json", Encoding.UTF8, status);

    private static Claim Conflict(string type, string message) =>
        new Claim.Answered(Problems.Result(Problems.Create(409, type, message)));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

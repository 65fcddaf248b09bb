using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace OpenCalendly.Host.Tests;

[CollectionDefinition(Name)]
public sealed class FailoverCollection
{
    public const string Name = "failover";
}

/// <summary>
/// The database primary is lost mid-stream: two PostgreSQL clusters of this machine (a primary and a synchronous
/// streaming standby made with <c>pg_basebackup -R</c>), two host processes on a multi-host connection string, bookings
/// and public reads through both; the primary's postmaster gets SIGKILL and the standby is promoted with <c>pg_ctl promote</c>.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class FailoverTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed record Attempt(string Kind, int Status, TimeSpan At, int Host);

    private sealed record Booked(string Id, string InviteeEmail, TimeSpan At);

    [Fact]
    public async Task a_promoted_standby_takes_over_and_no_booking_answered_200_is_lost_nor_any_request_answered_500()
    {
        await using var primary = await PgCluster.PrimaryAsync(synchronousStandby: "standby1");
        await primary.ExecuteAsync("CREATE DATABASE opencalendly_failover");
        await using var standby = await PgCluster.StandbyOfAsync(primary, "standby1");
        await WaitFor(async () => await primary.ScalarAsync<object?>("select sync_state from pg_stat_replication where application_name = 'standby1'") as string == "sync",
            TimeSpan.FromSeconds(30), "the standby never became synchronous");

        await using var resend = await ResendStandIn.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = TwoHostRig.Settings(
            $"Host=127.0.0.1:{primary.Port},127.0.0.1:{standby.Port};Username=postgres;Database=opencalendly_failover;Target Session Attributes=primary",
            resend, receiver);
        await using var a = await HostProcess.StartAsync(settings);
        await using var b = await HostProcess.StartAsync(settings);
        HostProcess[] hosts = [a, b];

        const int organizerCount = 4;
        var organizers = new List<(Organizer Organizer, string Slug)>();
        for (var i = 0; i < organizerCount; i++)
        {
            var (organizer, slug, _) = await a.Http.Bookable();
            (await a.Http.Post("/v0/webhooks", new { url = receiver.Url("ok"), events = new[] { "booking.created" }, secret = "failover-secret" }, organizer.Session))
                .ShouldBe(200);
            organizers.Add((organizer, slug));
        }

        var clock = Stopwatch.StartNew();
        var attempts = new ConcurrentQueue<Attempt>();
        var booked = new ConcurrentQueue<Booked>();
        using var stop = new CancellationTokenSource();
        var next = -1;

        // Each booking is one request with one idempotency key, sent again (same key) after a 503 or a broken
        // connection, as a client following Retry-After does, until it is answered or the stream stops.
        async Task Writer()
        {
            while (!stop.IsCancellationRequested)
            {
                var i = Interlocked.Increment(ref next);
                var (organizer, slug) = organizers[i % organizerCount];
                var n = i / organizerCount;
                var startsAt = new DateTimeOffset(2031, 1, 6, 9, 0, 0, TimeSpan.Zero).AddDays(n / 16).AddMinutes(30 * (n % 16));
                var email = $"failover{i}@example.com";
                var request = Bookings.Request(organizer, slug, startsAt.ToString("yyyy-MM-ddTHH:mm:ssZ"), email);
                var key = Api.NewKey();
                for (var attempt = 0; !stop.IsCancellationRequested; attempt++)
                {
                    var host = (i + attempt) % 2;
                    var (status, answer) = await Send(() => hosts[host].Http.Post("/v0/bookings", request, idempotencyKey: key));
                    attempts.Enqueue(new Attempt(status == 409 ? "booking " + answer!.Json["type"]!.GetValue<string>() : "booking", status, clock.Elapsed, host));
                    if (status == 200) booked.Enqueue(new Booked(answer!.Json["booking"]!["id"]!.GetValue<string>(), email, clock.Elapsed));
                    // 503 while the database is away; 409 in-progress while a claim of the key by an attempt that died is released.
                    if (status is not (503 or 0) && !(status == 409 && answer!.Headers.RetryAfter is not null)) break;
                    await Task.Delay(answer?.Headers.RetryAfter?.Delta is { } wait ? wait / 4 : TimeSpan.FromMilliseconds(250));
                }
            }
        }

        async Task Reader(int host)
        {
            var (organizer, slug) = organizers[host];
            while (!stop.IsCancellationRequested)
            {
                var (status, _) = await Send(() => hosts[host].Http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2031-02-03T00:00:00Z&days=1"));
                attempts.Enqueue(new Attempt("read", status, clock.Elapsed, host));
                await Task.Delay(20);
            }
        }

        var stream = Enumerable.Range(0, 4).Select(_ => Task.Run(Writer)).Concat([Task.Run(() => Reader(0)), Task.Run(() => Reader(1))]).ToList();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var bookedBeforeKill = booked.Count;
        var killedAt = clock.Elapsed;
        primary.KillPostmaster();
        await Task.Delay(TimeSpan.FromSeconds(1));   // the time a failover manager takes to decide
        await standby.PromoteAsync();
        var promotedAt = clock.Elapsed;
        await WaitFor(() => Task.FromResult(Enumerable.Range(0, 2).All(h => attempts.Any(x => x.Kind == "booking" && x.Status == 200 && x.At > promotedAt && x.Host == h))),
            TimeSpan.FromSeconds(60), "the hosts never served bookings again after the promotion");
        await Task.Delay(TimeSpan.FromSeconds(3));
        await stop.CancelAsync();
        await Task.WhenAll(stream);

        var all = attempts.ToList();
        var firstAfter = all.Where(x => x.Kind == "booking" && x.Status == 200 && x.At > killedAt).Min(x => x.At);
        var byStatus = string.Join(", ", all.GroupBy(x => (x.Kind, x.Status)).OrderBy(g => g.Key).Select(g => $"{g.Key.Kind} {g.Key.Status}: {g.Count()}"));
        output.WriteLine($"kill -9 of the primary at {killedAt.TotalSeconds:F1} s, promotion done {(promotedAt - killedAt).TotalSeconds:F1} s later; " +
            $"first booking answered 200 {(firstAfter - killedAt).TotalSeconds:F1} s after the kill ({(firstAfter - promotedAt).TotalSeconds:F1} s after the promotion)");
        output.WriteLine($"answers: {byStatus} (0 = the connection broke or timed out); {bookedBeforeKill} bookings before the kill, {booked.Count} in all");

        all.Where(x => x.Status == 500).ShouldBeEmpty("no request may be answered 500");
        all.Where(x => x.Status is not (200 or 409 or 503 or 0)).ShouldBeEmpty(byStatus);
        all.Where(x => x.Status == 0).ShouldBeEmpty("no request may hang up or time out: " + byStatus);

        // Every booking answered 200 is on the new primary, once; nobody holds two bookings at one time.
        var ids = booked.Select(x => x.Id).Distinct().ToList();
        ids.Count.ShouldBe(booked.Count, "one request, one booking (a retried key answers the same booking)");
        var stored = await standby.ScalarAsync<long>(
            $"select count(*) from opencalendly.mt_doc_booking where id = any(array[{string.Join(',', ids.Select(id => $"'{id}'::uuid"))}])", "opencalendly_failover");
        stored.ShouldBe(ids.Count, "a booking answered 200 was lost in the failover");
        (await standby.ScalarAsync<long>("""
            select count(*) from opencalendly.mt_doc_booking
            where data->>'inviteeEmail' like 'failover%' group by data->>'inviteeEmail' order by count(*) desc limit 1
            """, "opencalendly_failover")).ShouldBe(1, "one request made two bookings");
        (await standby.ScalarAsync<long>("""
            select count(*) from opencalendly.slot_reservations r1 join opencalendly.slot_reservations r2
              on r1.user_id = r2.user_id and r1.booking_id < r2.booking_id and r1.active and r2.active and r1.during && r2.during
            """, "opencalendly_failover")).ShouldBe(0);

        // Every email and webhook of those bookings arrives, each under one delivery id; a send whose outcome died with the
        // primary may be repeated: counted.
        var repeats = (Emails: 0, Webhooks: 0);
        var missing = new List<string>();
        foreach (var id in ids)
        {
            var emails = (await resend.WaitForSuccesses($"booking-confirmed:{id}", 2, TimeSpan.FromSeconds(60))).Count(r => r.AnsweredWith == 200);
            var hooks = await receiver.WaitFor(r => r.Any(x => x.AnsweredWith == 200), id, TimeSpan.FromSeconds(missing.Count > 0 ? 1 : 60));
            if (emails < 2 || !hooks.Any(r => r.AnsweredWith == 200))
                missing.Add($"{id} (booked at {booked.First(x => x.Id == id).At.TotalSeconds:F1} s): {emails} emails, {hooks.Count(r => r.AnsweredWith == 200)} webhooks; " +
                    $"deliveries: {await Rows(standby, $"select data->>'status' || ' attempts=' || (data->>'attempts') || ' ' || coalesce(data->>'lastError', '') from opencalendly.mt_doc_webhookdelivery where data->>'body' like '%{id}%'")}; " +
                    $"emails: {await Rows(standby, $"select data->>'kind' || ' ' || (data->>'status') || ' ' || coalesce(data->>'lastError', '') from opencalendly.mt_doc_emaildelivery where data->>'bookingId' = '{id}'")}");
        }
        if (missing.Count > 0)
            throw new ShouldAssertException($"{missing.Count} bookings missed deliveries:\n{string.Join('\n', missing.Take(10))}\n" +
                $"incoming: {await Rows(standby, "select message_type || ' ' || status || ' owner=' || owner_id || ' attempts=' || attempts from opencalendly.wolverine_incoming_envelopes")}\n" +
                $"nodes: {await Rows(standby, "select id || ' ' || node_number || ' ' || health_check from opencalendly.wolverine_nodes")}\n" +
                $"host A:\n{a.Output}\nhost B:\n{b.Output}");
        await Task.Delay(2000);
        foreach (var id in ids)
        {
            foreach (var role in new[] { "invitee", "organizer" })
            {
                var sent = resend.For($"booking-confirmed:{id}:{role}").Where(r => r.AnsweredWith == 200).ToList();
                sent.Select(r => r.IdempotencyKey).Distinct().Count().ShouldBe(1);
                repeats.Emails += sent.Count - 1;
            }
            var delivered = receiver.About(id).Where(r => r.AnsweredWith == 200).ToList();
            delivered.Select(r => r.DeliveryId).Distinct().Count().ShouldBe(1);
            repeats.Webhooks += delivered.Count - 1;
        }
        output.WriteLine($"{ids.Count} bookings, none lost; {ids.Count * 2} emails and {ids.Count} webhooks delivered, " +
            $"repeated: {repeats.Emails} emails, {repeats.Webhooks} webhooks (same delivery id)");
    }

    private static async Task<string> Rows(PgCluster cluster, string sql)
    {
        try
        {
            await using var connection = new Npgsql.NpgsqlConnection(cluster.ConnectionString("opencalendly_failover"));
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand(sql, connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync()) rows.Add(reader.IsDBNull(0) ? "null" : reader.GetValue(0).ToString()!);
            return rows.Count == 0 ? "none" : string.Join(" | ", rows.Take(20)) + (rows.Count > 20 ? $" … ({rows.Count})" : "");
        }
        catch (Npgsql.NpgsqlException e)
        {
            return $"({e.Message})";
        }
    }

    private static async Task<(int Status, Answer? Answer)> Send(Func<Task<Answer>> send)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var answer = await send().WaitAsync(timeout.Token);
            return ((int)answer.Status, answer);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or TimeoutException or OperationCanceledException)
        {
            return (0, null);
        }
    }

    private static async Task WaitFor(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException(failure);
            await Task.Delay(100);
        }
    }
}

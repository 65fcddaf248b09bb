using System.Net;
using System.Text.Json.Nodes;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// Two (later three) host processes on one database of their own, with Resend and a webhook receiver as
/// local stand-ins; failover timing is shortened (health every second, a node stale after 4 seconds).
/// </summary>
public class TwoHostRig : IAsyncLifetime
{
    public ResendStandIn Resend { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;
    public List<HostProcess> Hosts { get; } = [];
    private Dictionary<string, string> _settings = null!;

    /// <summary>What every host process of a multi-host test runs with: stand-ins for Resend and a webhook receiver, quick failover.</summary>
    public static Dictionary<string, string> Settings(string postgres, ResendStandIn resend, WebhookReceiver receiver) => new()
    {
        ["ConnectionStrings:Postgres"] = postgres,
        ["Secrets:Key"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["Auth:ExposeMagicLinkToken"] = "true",
        ["RateLimiting:PermitsPerMinute"] = "1000000",
        ["App:PublicBaseUrl"] = "http://opencalendly.test",
        ["Email:Provider"] = "resend",
        ["Email:Resend:BaseUrl"] = resend.BaseUrl,
        ["Email:Resend:ApiKey"] = ResendStandIn.ApiKey,
        ["Messaging:RetryDelaysSeconds"] = "2,3,5,5,5,5,5,5,5,5,5,5",
        ["Webhooks:AllowPrivateTargets"] = "true",
        ["Webhooks:RetryBaseSeconds"] = "1",
        ["Webhooks:RetryCapSeconds"] = "3",
        ["Webhooks:MaxAttempts"] = "30",
        ["Messaging:HealthCheckSeconds"] = "1",
        ["Messaging:StaleNodeSeconds"] = "4",
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>The hosts' connection strings: the database, and PostgreSQL itself when a pooler stands between.</summary>
    protected virtual async Task<(string Postgres, string? Direct)> DatabaseAsync() => (await App.FreshDatabase("twohosts"), null);

    public async Task InitializeAsync()
    {
        Resend = await ResendStandIn.StartAsync();
        Receiver = await WebhookReceiver.StartAsync();
        var (postgres, direct) = await DatabaseAsync();
        _settings = Settings(postgres, Resend, Receiver);
        if (direct is not null) _settings["ConnectionStrings:PostgresDirect"] = direct;
        // One at a time: the first applies the schema.
        Hosts.Add(await HostProcess.StartAsync(_settings));
        Hosts.Add(await HostProcess.StartAsync(_settings));
    }

    public async Task<HostProcess> StartAnother()
    {
        var host = await HostProcess.StartAsync(_settings);
        Hosts.Add(host);
        return host;
    }

    public virtual async Task DisposeAsync()
    {
        foreach (var host in Hosts) await host.DisposeAsync();
        await Resend.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>The same two hosts with PgBouncer (transaction pooling) between them and PostgreSQL, LISTEN and Wolverine's store direct.</summary>
public sealed class PgBouncerTwoHostRig : TwoHostRig
{
    public PgBouncer Bouncer { get; private set; } = null!;
    public string DirectConnectionString { get; private set; } = "";

    protected override async Task<(string Postgres, string? Direct)> DatabaseAsync()
    {
        DirectConnectionString = await App.FreshDatabase("pgbouncer");
        Bouncer = await PgBouncer.StartAsync(DirectConnectionString);
        return (Bouncer.ConnectionString(DirectConnectionString), DirectConnectionString);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Bouncer.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PgBouncerCollection : ICollectionFixture<PgBouncerTwoHostRig>
{
    public const string Name = "pgbouncer";
}

[Collection(PgBouncerCollection.Name)]
public sealed class PgBouncerTwoHostTests(PgBouncerTwoHostRig rig, Xunit.Abstractions.ITestOutputHelper output) : TwoHostScenario(rig, output)
{
    /// <summary>
    /// A session-level lock taken through a transaction pooler stays on whichever server connection ran it, for any
    /// client to inherit: Wolverine's leader and scheduled-job locks must be taken on the direct connection.
    /// </summary>
    [Fact]
    public async Task session_locks_and_listen_are_held_on_direct_connections_and_nothing_session_bound_goes_through_the_pooler()
    {
        var direct = rig.DirectConnectionString;
        await rig.Hosts.Last(h => !h.Exited).Http.Bookable();   // some traffic: through the pooler
        await using var connection = new Npgsql.NpgsqlConnection(direct);
        await connection.OpenAsync();
        async Task<long> Count(string where)
        {
            await using var command = new Npgsql.NpgsqlCommand(
                $"select count(*) from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and a.datname = current_database() and {where}", connection);
            return (long)(await command.ExecuteScalarAsync())!;
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await Count("a.client_addr is not null") == 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        var held = new List<string>();
        await using (var list = new Npgsql.NpgsqlCommand("""
            select l.objid || '/' || l.objsubid || ' ' || coalesce(host(a.client_addr), 'socket') || ' ' || a.application_name || ' ' || a.state || ' ' || left(a.query, 60)
            from pg_locks l join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory'
            """, connection))
        await using (var rows = await list.ExecuteReaderAsync())
            while (await rows.ReadAsync()) held.Add(rows.GetString(0));
        Output.WriteLine("advisory locks: " + string.Join(" | ", held));
        (await Count("a.client_addr is not null")).ShouldBeGreaterThan(0, "Wolverine holds its leadership lock on a direct connection: " + string.Join(" | ", held));
        (await Count("a.client_addr is null and l.objsubid = 1 and not exists (select 1 from pg_stat_activity x where x.pid = a.pid and x.state like 'idle in transaction%' or x.pid = a.pid and x.state = 'active')"))
            .ShouldBe(0, "a session lock was left on a pooled server connection");
        await using var listening = new Npgsql.NpgsqlCommand(
            "select count(*) from pg_stat_activity where datname = current_database() and query like 'listen %' and client_addr is not null", connection);
        ((long)(await listening.ExecuteScalarAsync())!).ShouldBeGreaterThan(0, "the taken-time LISTEN runs on a direct connection");
        await using var pooled = new Npgsql.NpgsqlCommand("select count(*) from pg_stat_activity where datname = current_database() and client_addr is null", connection);
        ((long)(await pooled.ExecuteScalarAsync())!).ShouldBeGreaterThan(0, "requests reach PostgreSQL through the pooler");
    }
}

[CollectionDefinition(Name)]
public sealed class TwoHostCollection : ICollectionFixture<TwoHostRig>
{
    public const string Name = "two-hosts";
}

[Collection(TwoHostCollection.Name)]
public sealed class TwoHostTests(TwoHostRig rig, Xunit.Abstractions.ITestOutputHelper output) : TwoHostScenario(rig, output);

/// <summary>Two hosts on one database: one truth, and a killed or stopped host loses nothing.</summary>
public abstract class TwoHostScenario(TwoHostRig rig, Xunit.Abstractions.ITestOutputHelper output)
{
    protected Xunit.Abstractions.ITestOutputHelper Output => output;

    private HttpClient A => rig.Hosts[0].Http;
    private HttpClient B => rig.Hosts[1].Http;

    [Fact]
    public async Task two_hosts_share_one_truth_and_a_killed_host_loses_nothing()
    {
        // 1. Forty invitees race for one slot, half through each host: one booking, 39 refusals.
        var (organizer, slug, _) = await A.Bookable();
        var race = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? A : B)
            .Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-03-04T10:00:00Z", $"racer{i}@example.com"), idempotencyKey: Api.NewKey())));
        race.Count(r => r.Status == HttpStatusCode.OK).ShouldBe(1);
        race.Count(r => r.Status == HttpStatusCode.Conflict).ShouldBe(39);
        output.WriteLine($"one slot, 40 requests over 2 hosts: {string.Join(", ", race.GroupBy(r => (int)r.Status).Select(g => $"{g.Count()} × {g.Key}"))}");

        // 1b. Fifty invitees race for a ten-seat slot of the same organizer's class, half through each host: ten seats,
        // numbered 1–10, one reservation of the organizer's time, forty refusals.
        var classSlug = Organizers.Unique("class");
        (await A.Post("/v0/event-types", new { name = "Class", slug = classSlug, durationMinutes = 60, locationType = "video", seatsPerSlot = 10 },
            organizer.Session)).ShouldBe(200);
        var seatRace = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? A : B)
            .Post("/v0/bookings", Bookings.Request(organizer, classSlug, "2030-03-04T13:00:00Z", $"student{i}@example.com"), idempotencyKey: Api.NewKey())));
        seatRace.Count(r => r.Status == HttpStatusCode.OK).ShouldBe(10);
        seatRace.Count(r => r.Status == HttpStatusCode.Conflict).ShouldBe(40);
        seatRace.Where(r => r.Status == HttpStatusCode.OK).Select(r => r.Json["booking"]!["seat"]!["number"]!.GetValue<int>()).Order()
            .ShouldBe(Enumerable.Range(1, 10));
        output.WriteLine($"ten seats, 50 requests over 2 hosts: {string.Join(", ", seatRace.GroupBy(r => (int)r.Status).Select(g => $"{g.Count()} × {g.Key}"))}");

        // 2. Round robin raced across both hosts: three members, three invitees per slot, four slots.
        var (owner, teamId, teamSlug) = await A.Team();
        var members = new[] { await A.Member(teamId, owner), await B.Member(teamId, owner), await A.Member(teamId, owner) };
        var eventSlug = Organizers.Unique("demo");
        (await A.Post("/v0/team-event-types", new
        {
            teamId, name = "Demo", slug = eventSlug, durationMinutes = 30, mode = "round_robin", locationType = "video",
            requiredMemberUserIds = members.Select(m => m.Id),   // the three of them, not the owner
        }, owner.Session)).ShouldBe(200);
        var starts = new[] { "2030-03-05T10:00:00Z", "2030-03-05T11:00:00Z", "2030-03-05T12:00:00Z", "2030-03-05T13:00:00Z" };
        var teamRace = await Task.WhenAll(starts.SelectMany(s => Enumerable.Range(0, 3).Select(i => (s, i))).Select(x => (x.i % 2 == 0 ? A : B)
            .Post("/v0/team-bookings", new { teamSlug, eventSlug, startsAt = x.s, inviteeName = "Invitee", inviteeEmail = $"rr{x.i}@example.com" }, idempotencyKey: Api.NewKey())));
        teamRace.ShouldAllBe(r => r.Status == HttpStatusCode.OK);   // three members, three invitees: each slot fills exactly
        foreach (var member in members)
        {
            var held = (await A.Get("/v0/me/bookings?status=confirmed", member.Session)).Json["bookings"]!.AsArray()
                .Select(b => b!["startsAt"]!.GetValue<string>()).ToArray();
            held.Length.ShouldBe(held.Distinct().Count(), "a member holds two bookings at one time");
        }
        teamRace.SelectMany(r => r.Json["booking"]!["assignmentUserIds"]!.AsArray().Select(id => id!.GetValue<string>()))
            .GroupBy(id => id).ShouldAllBe(g => g.Count() == starts.Length);   // fairness: each member got one per slot

        // 3. Deliveries pending on host A (receiver and email provider down) when A is killed outright.
        rig.Receiver.Up = false;
        rig.Resend.Down = true;
        var (mailer, mailerSlug, _) = await A.Bookable();
        (await A.Post("/v0/webhooks", new { url = rig.Receiver.Url("switch"), events = new[] { "booking.created" }, secret = "two-host-secret" }, mailer.Session))
            .ShouldBe(200);
        var ids = new List<string>();
        for (var day = 0; day < 5; day++)
            ids.Add((await A.Post("/v0/bookings", Bookings.Request(mailer, mailerSlug, $"2030-03-{11 + day:00}T10:00:00Z"), idempotencyKey: Api.NewKey()))
                .ShouldBe(200).Json["booking"]!["id"]!.GetValue<string>());
        foreach (var id in ids)
        {
            (await rig.Receiver.WaitFor(r => r.Count >= 1, id)).ShouldNotBeEmpty();
            (await WaitUntil(() => rig.Resend.For($"booking-confirmed:{id}").Count >= 2, TimeSpan.FromSeconds(30))).ShouldBeTrue();
        }
        var failedBeforeKill = rig.Receiver.Requests.Count(r => r.AnsweredWith == 503);
        rig.Hosts[0].Kill();
        rig.Receiver.Up = true;
        rig.Resend.Down = false;

        foreach (var id in ids)
        {
            (await rig.Receiver.WaitFor(r => r.Any(x => x.AnsweredWith == 204), id, TimeSpan.FromSeconds(90)))
                .ShouldContain(r => r.AnsweredWith == 204, $"the webhook for {id} never arrived after the kill");
            (await rig.Resend.WaitForSuccesses($"booking-confirmed:{id}", 2, TimeSpan.FromSeconds(90)))
                .Count(r => r.AnsweredWith == 200).ShouldBe(2, $"the emails for {id} never arrived after the kill");
        }
        await Task.Delay(3000);   // time for any duplicate to show up
        foreach (var id in ids)
        {
            rig.Receiver.About(id).Count(r => r.AnsweredWith == 204).ShouldBe(1);
            rig.Receiver.About(id).ShouldAllBe(r => r.SignatureValid("two-host-secret"));
            foreach (var role in new[] { "invitee", "organizer" })
                rig.Resend.For($"booking-confirmed:{id}:{role}").Count(r => r.AnsweredWith == 200).ShouldBe(1);
        }
        failedBeforeKill.ShouldBeGreaterThanOrEqualTo(ids.Count);
        output.WriteLine($"kill: {ids.Count} bookings, {failedBeforeKill} webhook attempts refused and {rig.Resend.Requests.Count(r => r.AnsweredWith == 503)} email attempts refused before the kill; " +
            $"after it {ids.Count} webhooks and {ids.Count * 2} emails delivered, each exactly once");

        // 4. SIGTERM to host B with bookings in flight: each is answered, and what was answered is committed.
        var survivor = await rig.StartAnother();
        var (busy, busySlug, _) = await survivor.Http.Bookable();
        var inFlight = Enumerable.Range(0, 20).Select(async i =>
        {
            try
            {
                var answer = await B.Post("/v0/bookings", Bookings.Request(busy, busySlug, $"2030-04-{1 + i:00}T10:00:00Z"), idempotencyKey: Api.NewKey());
                return ((int)answer.Status, answer.Status == HttpStatusCode.OK ? answer.Json["booking"]!["id"]!.GetValue<string>() : null);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
            {
                return (0, (string?)null);   // refused: the host had stopped taking requests
            }
        }).ToList();
        await Task.WhenAny(inFlight);
        rig.Hosts[1].Terminate();
        var outcomes = await Task.WhenAll(inFlight);
        (await rig.Hosts[1].WaitForExitAsync(TimeSpan.FromSeconds(40))).ShouldBe(0, rig.Hosts[1].Output);

        output.WriteLine($"SIGTERM with 20 bookings in flight: {outcomes.Count(o => o.Item1 == 200)} answered 200 and committed, {outcomes.Count(o => o.Item1 == 0)} refused at connect");
        outcomes.ShouldAllBe(o => o.Item1 == 200 || o.Item1 == 0);
        outcomes.Count(o => o.Item1 == 200).ShouldBeGreaterThan(1);
        var committed = (await survivor.Http.Get("/v0/me/bookings?status=confirmed&limit=200", busy.Session)).Json["bookings"]!.AsArray()
            .Select(b => b!["id"]!.GetValue<string>()).ToHashSet();
        committed.SetEquals(outcomes.Where(o => o.Item1 == 200).Select(o => o.Item2!)).ShouldBeTrue();
    }

    private static async Task<bool> WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(100);
        return condition();
    }
}

using System.Net;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Integrations.Webhooks;

namespace OpenCalendly.Host.Tests;

/// <summary>Webhook subscriptions on the main host, where private targets are refused (the default).</summary>
[Collection(AppCollection.Name)]
public sealed class WebhookSubscriptionTests(App app)
{
    private readonly HttpClient _http = app.Http;
    private const string Secret = "whsec-very-secret-value";

    private static object Subscription(string url = "https://93.184.215.14/opencalendly", string secret = Secret, string[]? events = null) =>
        new { url, events = events ?? ["booking.created", "booking.canceled"], secret };

    [Fact]
    public async Task an_organizer_subscribes_lists_and_updates_without_ever_seeing_the_secret_again()
    {
        var organizer = await _http.SignUp();

        var created = (await _http.Post("/v0/webhooks", Subscription(), organizer.Session)).ShouldBe(200);
        created.Body.ShouldNotContain(Secret);
        var id = created.Json["webhook"]!["id"]!.GetValue<string>();
        created.Json["webhook"]!["isActive"]!.GetValue<bool>().ShouldBeTrue();
        created.Json["webhook"]!["events"]!.AsArray().Count.ShouldBe(2);

        var patched = (await _http.Patch($"/v0/webhooks/{id}", new { isActive = false, events = new[] { "booking.rescheduled" } }, organizer.Session)).ShouldBe(200);
        patched.Json["webhook"]!["isActive"]!.GetValue<bool>().ShouldBeFalse();
        patched.Json["webhook"]!["events"]![0]!.GetValue<string>().ShouldBe("booking.rescheduled");

        var listed = (await _http.Get("/v0/webhooks", organizer.Session)).ShouldBe(200);
        listed.Json["webhooks"]!.AsArray().Count.ShouldBe(1);
        listed.Body.ShouldNotContain(Secret);

        await using var connection = new NpgsqlConnection(App.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select count(*) from opencalendly.mt_doc_webhooksubscription where data::text like '%' || $1 || '%'", connection)
        { Parameters = { new() { Value = Secret } } };
        ((long)(await command.ExecuteScalarAsync())!).ShouldBe(0);
    }

    [Fact]
    public async Task another_organizers_subscription_is_not_found()
    {
        var owner = await _http.SignUp();
        var stranger = await _http.SignUp();
        var id = (await _http.Post("/v0/webhooks", Subscription(), owner.Session)).Json["webhook"]!["id"]!.GetValue<string>();

        (await _http.Patch($"/v0/webhooks/{id}", new { isActive = false }, stranger.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get($"/v0/webhooks/{id}/deliveries", stranger.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Get("/v0/webhooks", stranger.Session)).Json["webhooks"]!.AsArray().Count.ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"url":"https://hooks.example.com/x","events":["booking.created"],"secret":"short"}""", "secret")]
    [InlineData("""{"url":"https://hooks.example.com/x","events":["booking.exploded"],"secret":"long-enough"}""", "events")]
    [InlineData("""{"url":"https://hooks.example.com/x","events":[],"secret":"long-enough"}""", "events")]
    [InlineData("""{"url":"not a url","events":["booking.created"],"secret":"long-enough"}""", "url")]
    [InlineData("""{"url":"http://hooks.example.com/x","events":["booking.created"],"secret":"long-enough"}""", "url")]
    [InlineData("""{"url":"ftp://hooks.example.com/x","events":["booking.created"],"secret":"long-enough"}""", "url")]
    public async Task invalid_subscriptions_are_refused(string body, string field)
    {
        var organizer = await _http.SignUp();
        var answer = (await _http.Post("/v0/webhooks", body, organizer.Session)).ShouldBeProblem(400, "validation");
        answer.Json["errors"]![field].ShouldNotBeNull();
    }

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://10.0.0.1/hook")]
    [InlineData("https://192.168.1.20/hook")]
    [InlineData("https://[::ffff:127.0.0.1]/hook")]
    [InlineData("https://[fd00::1]/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("http://127.0.0.1/hook")]
    public async Task private_and_loopback_targets_are_refused(string url)
    {
        var organizer = await _http.SignUp();
        var answer = (await _http.Post("/v0/webhooks", Subscription(url), organizer.Session)).ShouldBeProblem(400, "validation");
        answer.Json["errors"]!["url"].ShouldNotBeNull();
    }

    [Fact]
    public async Task a_delivery_is_refused_at_connection_time_when_its_target_is_private()
    {
        // Stands in for a name that resolved publicly when subscribed and privately later (DNS rebinding):
        // the stored URL points at loopback, and only the connection-time check stands in the way.
        await using var receiver = await WebhookReceiver.StartAsync();
        var (organizer, slug, _) = await _http.Bookable();
        var subscriptionId = Guid.NewGuid();
        await using (var session = app.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Store(new WebhookSubscription
            {
                Id = subscriptionId, OrganizerId = Guid.Parse(organizer.Id), Url = receiver.Url("ok"), Events = ["booking.created"],
                SealedSecret = app.Host.Services.GetRequiredService<OpenCalendly.Integrations.Secrets.SecretBox>().Seal(Secret),
                IsActive = true, CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            await session.SaveChangesAsync();
        }

        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-12-09T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonNode? delivery = null;
        while (delivery?["attempts"]?.GetValue<int>() is null or 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            delivery = (await _http.Get($"/v0/webhooks/{subscriptionId}/deliveries", organizer.Session)).Json["deliveries"]!.AsArray().SingleOrDefault();
        }
        delivery!["lastError"]!.GetValue<string>().ShouldContain("Refused to connect");
        delivery["status"]!.GetValue<string>().ShouldBe("pending");
        receiver.Requests.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("2606:4700:4700::1111", true)]
    [InlineData("127.0.0.53", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("172.31.255.255", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("255.255.255.255", false)]
    [InlineData("::", false)]
    [InlineData("fe80::1", false)]
    [InlineData("ff02::1", false)]
    [InlineData("::ffff:10.1.2.3", false)]
    [InlineData("64:ff9b::7f00:1", false)]
    [InlineData("::127.0.0.1", false)]                 // IPv4-compatible
    [InlineData("::ffff:0:127.0.0.1", false)]          // SIIT IPv4-translated
    [InlineData("2002:7f00:1::1", false)]              // 6to4 of 127.0.0.1
    [InlineData("100::1", false)]                      // discard prefix
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2", false)] // Teredo
    [InlineData("2001:db8::1", false)]
    [InlineData("3fff::1", false)]
    [InlineData("192.88.99.1", false)]
    [InlineData("192.0.2.10", false)]
    [InlineData("198.51.100.7", false)]
    [InlineData("203.0.113.9", false)]
    [InlineData("2a00:1450:4001:81b::200e", true)]
    public void the_guard_knows_public_from_private_addresses(string address, bool isPublic) =>
        WebhookTargets.IsPublic(IPAddress.Parse(address)).ShouldBe(isPublic);
}

public sealed class WebhookApp : App
{
    public WebhookReceiver Receiver { get; private set; } = null!;
    public const int MaxAttempts = 4;

    protected override string OwnDatabase => "webhooks";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Webhooks:AllowPrivateTargets"] = "true",
        ["Webhooks:RetryBaseSeconds"] = "0.2",
        ["Webhooks:MaxAttempts"] = MaxAttempts.ToString(),
        ["Webhooks:TimeoutSeconds"] = "3",
    };

    public override async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class WebhookCollection : ICollectionFixture<WebhookApp>
{
    public const string Name = "webhooks";
}

[Collection(WebhookCollection.Name)]
public sealed class WebhookDeliveryTests(WebhookApp app)
{
    private readonly HttpClient _http = app.Http;
    private const string Secret = "integrator-shared-secret";

    private async Task<(Organizer Organizer, string Slug, string WebhookId)> Subscribed(string mode)
    {
        var (organizer, slug, _) = await _http.Bookable();
        var webhook = (await _http.Post("/v0/webhooks", new
        {
            url = app.Receiver.Url(mode), events = new[] { "booking.created", "booking.canceled", "booking.rescheduled" }, secret = Secret,
        }, organizer.Session)).ShouldBe(200);
        return (organizer, slug, webhook.Json["webhook"]!["id"]!.GetValue<string>());
    }

    private async Task<JsonNode> Book(Organizer organizer, string slug, string startsAt) =>
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;

    [Fact]
    public async Task created_canceled_and_rescheduled_arrive_signed_with_the_contract_payload()
    {
        var (organizer, slug, _) = await Subscribed("ok");
        var booked = await Book(organizer, slug, "2030-12-02T10:00:00Z");
        var id = booked["booking"]!["id"]!.GetValue<string>();
        booked["webhooks"]!["queued"]!.GetValue<int>().ShouldBe(1);

        var created = (await app.Receiver.WaitFor(r => r.Count >= 1, id)).Single();
        created.SignatureValid(Secret).ShouldBeTrue();
        created.Headers["X-OpenCalendly-Event"].ShouldBe("booking.created");
        var body = JsonNode.Parse(created.Body)!;
        body["type"]!.GetValue<string>().ShouldBe("booking.created");
        body["id"]!.GetValue<string>().ShouldBe(created.Headers["X-OpenCalendly-Event-Id"]);
        body["createdAt"]!.GetValue<string>().ShouldEndWith("Z");
        var payload = body["payload"]!;
        payload["bookingId"]!.GetValue<string>().ShouldBe(id);
        payload["organizerId"]!.GetValue<string>().ShouldBe(organizer.Id);
        payload["inviteeEmail"]!.GetValue<string>().ShouldBe("pat@example.com");
        payload["startsAt"]!.GetValue<string>().ShouldBe("2030-12-02T10:00:00.000Z");
        created.SignatureValid("some-other-secret").ShouldBeFalse();

        var moved = (await _http.Post($"/v0/bookings/actions/{booked["actions"]!["reschedule"]!["token"]}/reschedule",
            new { startsAt = "2030-12-02T11:00:00Z" }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var newId = moved["newBooking"]!["id"]!.GetValue<string>();
        var rescheduled = (await app.Receiver.WaitFor(r => r.Count >= 1, newId)).Single();
        rescheduled.Headers["X-OpenCalendly-Event"].ShouldBe("booking.rescheduled");
        JsonNode.Parse(rescheduled.Body)!["payload"]!["metadata"]!["rescheduledFromBookingId"]!.GetValue<string>().ShouldBe(id);

        (await _http.Post($"/v0/bookings/actions/{moved["actions"]!["cancel"]!["token"]}/cancel", new { reason = "ill" })).ShouldBe(200);
        var all = await app.Receiver.WaitFor(r => r.Count >= 2, newId);
        var canceled = all.Single(r => r.Headers["X-OpenCalendly-Event"] == "booking.canceled");
        canceled.SignatureValid(Secret).ShouldBeTrue();
        JsonNode.Parse(canceled.Body)!["payload"]!["metadata"]!["reason"]!.GetValue<string>().ShouldBe("ill");
    }

    [Fact]
    public async Task each_seat_of_a_seated_slot_gets_its_own_booking_created_with_the_seats_taken()
    {
        var (organizer, _, _) = await Subscribed("ok");
        var slug = Organizers.Unique("class");
        (await _http.Post("/v0/event-types", new { name = "Class", slug, durationMinutes = 60, locationType = "video", seatsPerSlot = 5 }, organizer.Session))
            .ShouldBe(200);
        var ids = new List<string>();
        for (var i = 1; i <= 2; i++)
            ids.Add((await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-12-04T10:00:00Z", $"seat{i}@example.com"),
                idempotencyKey: Api.NewKey())).ShouldBe(200).Json["booking"]!["id"]!.GetValue<string>());

        for (var i = 0; i < 2; i++)
        {
            var created = (await app.Receiver.WaitFor(r => r.Count >= 1, ids[i])).Single();
            created.Headers["X-OpenCalendly-Event"].ShouldBe("booking.created");
            var payload = JsonNode.Parse(created.Body)!["payload"]!;
            payload["inviteeEmail"]!.GetValue<string>().ShouldBe($"seat{i + 1}@example.com");
            payload["seat"]!["slotStartsAt"]!.GetValue<string>().ShouldBe("2030-12-04T10:00:00.000Z");
            payload["seat"]!["seatsPerSlot"]!.GetValue<int>().ShouldBe(5);
            payload["seat"]!["seatsTaken"]!.GetValue<int>().ShouldBe(i + 1);
        }
    }

    [Fact]
    public async Task two_failures_then_success_is_three_attempts_of_one_delivery()
    {
        var (organizer, slug, webhookId) = await Subscribed("flaky");
        var id = (await Book(organizer, slug, "2030-12-03T10:00:00Z"))["booking"]!["id"]!.GetValue<string>();

        var requests = await app.Receiver.WaitFor(r => r.Any(x => x.AnsweredWith == 200), id);
        await Task.Delay(1000);
        requests = app.Receiver.About(id);

        requests.Count.ShouldBe(3);
        requests.Select(r => r.AnsweredWith).ShouldBe([500, 500, 200]);
        requests.Select(r => r.DeliveryId).Distinct().Count().ShouldBe(1);
        requests.Select(r => r.Body).Distinct().Count().ShouldBe(1);
        var delivery = (await Deliveries(organizer, webhookId)).Single()!;
        delivery["status"]!.GetValue<string>().ShouldBe("succeeded");
        delivery["attempts"]!.GetValue<int>().ShouldBe(3);
    }

    [Fact]
    public async Task a_receiver_that_always_fails_ends_failed_with_its_last_status()
    {
        var (organizer, slug, webhookId) = await Subscribed("down");
        var id = (await Book(organizer, slug, "2030-12-04T10:00:00Z"))["booking"]!["id"]!.GetValue<string>();

        await app.Receiver.WaitFor(r => r.Count >= WebhookApp.MaxAttempts, id);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonNode delivery;
        do delivery = (await Deliveries(organizer, webhookId)).Single()!;
        while (delivery["status"]!.GetValue<string>() != "failed" && DateTime.UtcNow < deadline && await Pause());

        delivery["status"]!.GetValue<string>().ShouldBe("failed");
        delivery["attempts"]!.GetValue<int>().ShouldBe(WebhookApp.MaxAttempts);
        delivery["lastStatus"]!.GetValue<int>().ShouldBe(500);
        delivery["lastError"]!.GetValue<string>().ShouldStartWith("HTTP 500");
        await Task.Delay(1000);
        app.Receiver.About(id).Count.ShouldBe(WebhookApp.MaxAttempts);

        // A second booking delivered fine: operator health counts one of each.
        (await _http.Patch($"/v0/webhooks/{webhookId}", new { url = app.Receiver.Url("ok") }, organizer.Session)).ShouldBe(200);
        var second = (await Book(organizer, slug, "2030-12-04T11:00:00Z"))["booking"]!["id"]!.GetValue<string>();
        await app.Receiver.WaitFor(r => r.Count >= 1, second);
        JsonNode health;
        deadline = DateTime.UtcNow.AddSeconds(10);
        do health = (await _http.Get("/v0/analytics/operator/health", organizer.Session)).ShouldBe(200).Json["webhookDeliveries"]!;
        while (health["succeeded"]!.GetValue<int>() < 1 && DateTime.UtcNow < deadline && await Pause());
        health["total"]!.GetValue<int>().ShouldBe(2);
        health["failed"]!.GetValue<int>().ShouldBe(1);
        health["succeeded"]!.GetValue<int>().ShouldBe(1);
        health["pending"]!.GetValue<int>().ShouldBe(0);
    }

    [Fact]
    public async Task run_processes_the_callers_due_deliveries_now()
    {
        var (organizer, _, webhookId) = await Subscribed("ok");
        var stranger = await _http.SignUp();
        var eventId = Guid.NewGuid();
        await using (var session = app.Host.Services.GetRequiredService<IDocumentStore>().LightweightSession())
        {
            session.Store(new WebhookDelivery
            {
                Id = Guid.NewGuid(), SubscriptionId = Guid.Parse(webhookId), OrganizerId = Guid.Parse(organizer.Id), EventId = eventId,
                EventType = "booking.created", Body = $$"""{"id":"{{eventId}}","type":"booking.created"}""",
                NextAttemptAt = DateTimeOffset.UtcNow.AddMinutes(-1), CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-2),
            });
            await session.SaveChangesAsync();
        }

        var none = (await _http.Post("/v0/webhooks/deliveries/run?limit=10", null, stranger.Session)).ShouldBe(200).Json;
        none["processed"]!.GetValue<int>().ShouldBe(0);
        var run = (await _http.Post("/v0/webhooks/deliveries/run?limit=10", null, organizer.Session)).ShouldBe(200).Json;
        run["processed"]!.GetValue<int>().ShouldBe(1);
        run["succeeded"]!.GetValue<int>().ShouldBe(1);
        (run["retried"]!.GetValue<int>(), run["failed"]!.GetValue<int>()).ShouldBe((0, 0));
        app.Receiver.About(eventId.ToString()).Count.ShouldBe(1);

        (await _http.Post("/v0/webhooks/deliveries/run?limit=0", null, organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/webhooks/deliveries/run?limit=101", null, organizer.Session)).ShouldBeProblem(400, "validation");
    }

    private async Task<JsonArray> Deliveries(Organizer organizer, string webhookId) =>
        (await _http.Get($"/v0/webhooks/{webhookId}/deliveries", organizer.Session)).ShouldBe(200).Json["deliveries"]!.AsArray();

    private static async Task<bool> Pause()
    {
        await Task.Delay(100);
        return true;
    }
}

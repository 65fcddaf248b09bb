using Alba;

namespace OpenCalendly.Host.Tests;

/// <summary>A Resend-backed host on a database of its own, stopped and started again inside the test.</summary>
public sealed class RestartRig : App
{
    public ResendStandIn Resend { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;

    protected override string OwnDatabase => "restart";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Provider"] = "resend",
        ["Email:Resend:BaseUrl"] = Resend.BaseUrl,
        ["Email:Resend:ApiKey"] = ResendStandIn.ApiKey,
        ["Webhooks:AllowPrivateTargets"] = "true",
        ["Webhooks:RetryBaseSeconds"] = "1",
        // Room for a slow stop under a loaded suite: the emails' retries (1, 1, 2 s elsewhere) must not run out while
        // the first host stops, and a node that stopped without handing its messages back is reclaimed in seconds.
        ["Messaging:RetryDelaysSeconds"] = "1,2,4,8,16",
        ["Messaging:HealthCheckSeconds"] = "1",
        ["Messaging:StaleNodeSeconds"] = "4",
    };

    public override async Task InitializeAsync()
    {
        Resend = await ResendStandIn.StartAsync();
        Receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Resend.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RestartCollection : ICollectionFixture<RestartRig>
{
    public const string Name = "restart";
}

[Collection(RestartCollection.Name)]
public sealed class RestartTests(RestartRig rig)
{
    [Fact]
    public async Task an_email_committed_while_the_provider_is_down_is_delivered_once_after_a_restart()
    {
        rig.Resend.Down = true;
        IAlbaHost first = await rig.StartHost();
        var http = first.Server.CreateClient();
        var (organizer, slug, _) = await http.Bookable();
        var booked = (await http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-11-04T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var prefix = $"booking-confirmed:{booked["booking"]!["id"]!.GetValue<string>()}";

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (rig.Resend.For(prefix).Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(100);
        rig.Resend.For(prefix).ShouldAllBe(r => r.AnsweredWith == 503);
        await first.DisposeAsync();

        rig.Resend.Down = false;
        await using var second = await rig.StartHost();
        await rig.Resend.WaitForSuccesses(prefix, 2, TimeSpan.FromSeconds(60));
        await Task.Delay(2000);

        foreach (var role in new[] { "invitee", "organizer" })
            rig.Resend.For($"{prefix}:{role}").Count(r => r.AnsweredWith == 200).ShouldBe(1, role);
    }

    [Fact]
    public async Task a_webhook_committed_while_the_receiver_is_down_is_delivered_once_after_a_restart()
    {
        rig.Receiver.Up = false;
        IAlbaHost first = await rig.StartHost();
        var http = first.Server.CreateClient();
        var (organizer, slug, _) = await http.Bookable();
        (await http.Post("/v0/webhooks", new { url = rig.Receiver.Url("switch"), events = new[] { "booking.created" }, secret = "restart-secret" }, organizer.Session)).ShouldBe(200);
        var booked = (await http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-11-05T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var id = booked["booking"]!["id"]!.GetValue<string>();

        (await rig.Receiver.WaitFor(r => r.Count >= 1, id)).ShouldAllBe(r => r.AnsweredWith == 503);
        await first.DisposeAsync();

        rig.Receiver.Up = true;
        await using var second = await rig.StartHost();
        var received = await rig.Receiver.WaitFor(r => r.Any(x => x.AnsweredWith == 204), id, TimeSpan.FromSeconds(60));
        await Task.Delay(2000);

        rig.Receiver.About(id).Count(r => r.AnsweredWith == 204).ShouldBe(1);
        received.Select(r => r.DeliveryId).Distinct().Count().ShouldBe(1);
        received.ShouldAllBe(r => r.SignatureValid("restart-secret"));
    }
}

using Alba;

namespace OpenCalendly.Host.Tests;

/// <summary>A Resend-backed host on a database of its own, stopped and started again inside the test.</summary>
public sealed class RestartRig : App
{
    public ResendStandIn Resend { get; private set; } = null!;

    protected override string OwnDatabase => "restart";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Provider"] = "resend",
        ["Email:Resend:BaseUrl"] = Resend.BaseUrl,
        ["Email:Resend:ApiKey"] = ResendStandIn.ApiKey,
    };

    public override async Task InitializeAsync()
    {
        Resend = await ResendStandIn.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Resend.DisposeAsync();
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
}

using System.Text;
using Ical.Net;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using OpenCalendly.Host.Email;

namespace OpenCalendly.Host.Tests;

public sealed class ResendApp : App
{
    public ResendStandIn Resend { get; private set; } = null!;

    protected override string OwnDatabase => "resend";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Provider"] = "resend",
        ["Email:Resend:BaseUrl"] = Resend.BaseUrl,
        ["Email:Resend:ApiKey"] = ResendStandIn.ApiKey,
        ["Email:From"] = "OpenCalendly <bookings@opencalendly.test>",
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
public sealed class ResendCollection : ICollectionFixture<ResendApp>
{
    public const string Name = "resend";
}

[Collection(ResendCollection.Name)]
public sealed class ResendTests(ResendApp app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task booking_emails_go_to_resend_in_its_real_request_shape()
    {
        var (organizer, slug, _) = await _http.Bookable();
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-10-01T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var id = booked["booking"]!["id"]!.GetValue<string>();

        var requests = await app.Resend.WaitForSuccesses($"booking-confirmed:{id}", 2);

        requests.Count.ShouldBe(2);
        var toInvitee = requests.Single(r => r.IdempotencyKey == $"booking-confirmed:{id}:invitee");
        toInvitee.Path.ShouldBe("/emails");
        toInvitee.Authorization.ShouldBe($"Bearer {ResendStandIn.ApiKey}");
        toInvitee.Body["from"]!.GetValue<string>().ShouldBe("OpenCalendly <bookings@opencalendly.test>");
        toInvitee.Body["to"]![0]!.GetValue<string>().ShouldBe("pat@example.com");
        toInvitee.Body["subject"]!.GetValue<string>().ShouldStartWith("Confirmed:");
        toInvitee.Body["html"]!.GetValue<string>().ShouldContain("<a href=\"http://opencalendly.test/bookings/actions/");
        toInvitee.Body["text"]!.GetValue<string>().ShouldContain("(Europe/Paris)");
        var attachment = toInvitee.Body["attachments"]![0]!;
        attachment["filename"]!.GetValue<string>().ShouldBe("invite.ics");
        attachment["content_type"]!.GetValue<string>().ShouldStartWith("text/calendar; method=REQUEST");
        var invite = Calendar.Load(Encoding.UTF8.GetString(Convert.FromBase64String(attachment["content"]!.GetValue<string>())))!;
        invite.Method.ShouldBe("REQUEST");
        invite.Events.Single().Start!.Value.ShouldBe(new DateTime(2030, 10, 1, 10, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public async Task a_failed_send_is_retried_recorded_and_succeeds_exactly_once()
    {
        var (organizer, slug, _) = await _http.Bookable();
        app.Resend.FailNext(3);
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-10-02T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var id = booked["booking"]!["id"]!.GetValue<string>();

        var requests = await app.Resend.WaitForSuccesses($"booking-confirmed:{id}", 2);
        await Task.Delay(1500);

        foreach (var role in new[] { "invitee", "organizer" })
            app.Resend.For($"booking-confirmed:{id}:{role}").Count(r => r.AnsweredWith == 200).ShouldBe(1, role);
        requests.Count(r => r.AnsweredWith == 500).ShouldBeGreaterThan(0);

        await using var session = app.Host.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var deliveries = await session.Query<EmailDelivery>().Where(d => d.BookingId == Guid.Parse(id)).ToListAsync();
        deliveries.Count.ShouldBe(2);
        deliveries.ShouldAllBe(d => d.Status == EmailDeliveryStatus.Succeeded && d.Provider == "resend" && d.LastError == null);
        deliveries.Sum(d => d.Attempts).ShouldBe(requests.Count);
    }
}

public sealed class SmtpApp : App
{
    public SmtpStandIn Smtp { get; } = new();

    protected override string OwnDatabase => "smtp";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Provider"] = "smtp",
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = Smtp.Port.ToString(),
        ["Email:Smtp:UseStartTls"] = "false",
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SmtpCollection : ICollectionFixture<SmtpApp>
{
    public const string Name = "smtp";
}

[Collection(SmtpCollection.Name)]
public sealed class SmtpTests(SmtpApp app)
{
    [Fact]
    public async Task mailkit_delivers_the_booking_emails_with_an_invitation_calendars_accept()
    {
        var (organizer, slug, _) = await app.Http.Bookable("America/New_York");
        var booked = (await app.Http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-10-03T14:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        var id = booked["booking"]!["id"]!.GetValue<string>();

        var received = await app.Smtp.WaitFor(m => m.MessageId?.Contains(id) == true, 2);

        received.Count.ShouldBe(2);
        var toOrganizer = received.Single(m => m.To.Mailboxes.Single().Address == organizer.Email);
        toOrganizer.TextBody!.ShouldContain("Thursday 3 October 2030, 10:00–10:30 (America/New_York)");
        var invite = Mailbox.Invitation(toOrganizer);
        invite.Method.ShouldBe("REQUEST");
        invite.Events.Single().Uid.ShouldBe($"{id}@opencalendly");
        invite.Events.Single().Sequence.ShouldBe(0);
        invite.Events.Single().Location.ShouldBe("Video call");
    }
}

public sealed class ProductionStartupTests
{
    [Fact]
    public async Task production_refuses_to_start_without_an_email_provider()
    {
        var error = await Should.ThrowAsync<Exception>(() => Alba.AlbaHost.For<Program>(builder =>
        {
            Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseEnvironment(builder, "Production");
            builder.UseSetting("ConnectionStrings:Postgres", App.ConnectionString);
            builder.UseSetting("Secrets:Key", Convert.ToBase64String(new byte[32]));
        }));
        error.ToString().ShouldContain("Email:Provider");
    }

    [Fact]
    public async Task production_refuses_to_start_without_a_secrets_key()
    {
        var error = await Should.ThrowAsync<Exception>(() => Alba.AlbaHost.For<Program>(builder =>
        {
            Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseEnvironment(builder, "Production");
            builder.UseSetting("ConnectionStrings:Postgres", App.ConnectionString);
            builder.UseSetting("Email:Provider", "file");
        }));
        error.ToString().ShouldContain("Secrets:Key");
    }
}

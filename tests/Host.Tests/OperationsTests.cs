using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace OpenCalendly.Host.Tests;

[Collection(AppCollection.Name)]
public sealed class OperationsTests(App app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task logs_name_the_booking_and_the_request_and_never_a_token_or_secret()
    {
        var (organizer, slug, _) = await _http.Bookable();
        const string secret = "whsec-never-in-a-log-line";
        // Subscribed to an event this test never causes, so nothing is sent to the (unreachable) address.
        (await _http.Post("/v0/webhooks", new { url = "https://93.184.215.14/hook", events = new[] { "booking.rescheduled" }, secret }, organizer.Session)).ShouldBe(200);
        var link = (await _http.Post("/v0/auth/magic-link", new { email = organizer.Email })).ShouldBe(200).Json["magicLinkToken"]!.GetValue<string>();
        var session = (await _http.Post("/v0/auth/verify", new { token = link })).ShouldBe(200).Json["sessionToken"]!.GetValue<string>();
        var booked = await _http.Book(organizer, slug, "2031-01-06T10:00:00Z");
        var bookingId = booked["booking"]!["id"]!.GetValue<string>();
        (await _http.Post($"/v0/bookings/actions/{booked.Token("cancel")}/cancel", new { reason = "testing logs" })).ShouldBe(200);
        (await _http.Get($"/v0/bookings/actions/{booked.Token("reschedule")}")).ShouldBe(200);
        (await _http.Get("/v0/auth/me", "not-a-session-" + session[..8])).ShouldBeProblem(401, "unauthorized");

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!app.Logs.Lines.Any(l => l.Contains(bookingId) && l.Contains("canceled")) && DateTime.UtcNow < deadline) await Task.Delay(50);
        var confirmed = app.Logs.Lines.Single(l => l.Contains($"Booking {bookingId} confirmed"));
        confirmed.ShouldContain("scope RequestId=");
        confirmed.ShouldContain($"BookingId={bookingId}");
        // The request scope names the route without the link's token.
        app.Logs.Lines.Single(l => l.Contains($"Booking {bookingId} canceled")).ShouldContain("RequestPath=/v0/bookings/actions/{token}/cancel");

        foreach (var value in new[] { organizer.Session, session, link, booked.Token("cancel"), booked.Token("reschedule"), secret })
            app.Logs.Lines.Where(l => l.Contains(value, StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public async Task ready_reports_the_database_the_durability_agent_and_the_outbox()
    {
        Answer ready;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        do ready = await _http.Get("/health/ready");
        while ((int)ready.Status != 200 && DateTime.UtcNow < deadline && await Task.Delay(200).ContinueWith(_ => true));
        ready.ShouldBe(200);
        ready.Json["status"]!.GetValue<string>().ShouldBe("ready");
        ready.Json["database"]!.GetValue<string>().ShouldBe("ok");
        ready.Json["durabilityAgent"]!.GetValue<string>().ShouldBe("running");
        ready.Json["outbox"]!["outgoing"]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(0);
        ready.Json["outbox"]!["scheduled"].ShouldNotBeNull();
    }
}

/// <summary>An OTLP/HTTP collector on 127.0.0.1: records what arrives at <c>/v1/traces</c> and <c>/v1/metrics</c>.</summary>
public sealed class OtlpStandIn : IAsyncDisposable
{
    private WebApplication _app = null!;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<(string Path, string ContentType, byte[] Body)> Exports { get; } = new();

    public static async Task<OtlpStandIn> StartAsync()
    {
        var standIn = new OtlpStandIn();
        (standIn._app, standIn.BaseUrl) = await LocalServer.StartAsync(app => app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            standIn.Exports.Enqueue(("/v1/" + signal, request.ContentType ?? "", body.ToArray()));
            return Results.Ok();
        }));
        return standIn;
    }

    /// <summary>Whether any export to <paramref name="path"/> mentions <paramref name="text"/> (protobuf keeps strings as UTF-8).</summary>
    public bool Saw(string path, string text) =>
        Exports.Any(e => e.Path == path && Encoding.UTF8.GetString(e.Body).Contains(text, StringComparison.Ordinal));

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

public sealed class TelemetryApp : App
{
    public OtlpStandIn Collector { get; private set; } = null!;

    protected override string OwnDatabase => "telemetry";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Collector.BaseUrl,
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_SERVICE_NAME"] = "opencalendly-test",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "250",
    };

    public override async Task InitializeAsync()
    {
        Collector = await OtlpStandIn.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Collector.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class TelemetryCollection : ICollectionFixture<TelemetryApp>
{
    public const string Name = "telemetry";
}

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryApp app)
{
    private readonly HttpClient _http = app.Http;

    [Fact]
    public async Task traces_and_business_metrics_reach_the_otlp_collector()
    {
        var (organizer, slug, _) = await _http.Bookable();
        (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2031-02-03T00:00:00Z&days=2")).ShouldBe(200);
        var booked = await _http.Book(organizer, slug, "2031-02-03T10:00:00Z");
        (await _http.Get($"/v0/bookings/actions/{booked.Token("cancel")}")).ShouldBe(200);
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2031-02-03T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBeProblem(409, "slot-taken");

        var collector = app.Collector;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string[] metrics = ["opencalendly.bookings", "opencalendly.bookings.slot_taken", "opencalendly.availability.duration", "opencalendly.deliveries", "http.server.request.duration"];
        while (DateTime.UtcNow < deadline && !(metrics.All(m => collector.Saw("/v1/metrics", m)) && collector.Saw("/v1/traces", "/v0/bookings/actions/{token}") && collector.Saw("/v1/traces", "/v0/bookings")))
            await Task.Delay(100);

        foreach (var metric in metrics) collector.Saw("/v1/metrics", metric).ShouldBeTrue(metric);
        collector.Saw("/v1/traces", "/v0/bookings").ShouldBeTrue();
        collector.Saw("/v1/traces", "opencalendly-test").ShouldBeTrue();   // the service name travels as a resource attribute
        collector.Exports.ShouldAllBe(e => e.ContentType == "application/x-protobuf");
        collector.Saw("/v1/traces", booked.Token("cancel")).ShouldBeFalse();   // url.path is redacted
        collector.Saw("/v1/traces", "/v0/bookings/actions/{token}").ShouldBeTrue();
    }
}

[Collection(AppCollection.Name)]
public sealed class SecurityHeaderTests(App app)
{
    [Theory]
    [InlineData("/auth/sign-in")]
    [InlineData("/organizer")]
    [InlineData("/v0/auth/me")]
    [InlineData("/health/live")]
    [InlineData("/v0/nothing-here")]
    public async Task pages_and_api_answers_carry_the_security_headers(string path)
    {
        using var response = await app.Http.GetAsync(path);
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        response.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
        response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY");
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        policy.ShouldContain("frame-ancestors 'none'");
        policy.ShouldContain("script-src 'self';");
        policy.ShouldNotContain("unsafe-inline");
    }

    [Theory]
    [InlineData("/demo-user/some-event")]
    [InlineData("/team/some-team/some-event")]
    public async Task booking_pages_may_be_framed_by_any_site_and_keep_the_rest_of_the_policy(string path)
    {
        using var response = await app.Http.GetAsync(path);
        response.Headers.Contains("X-Frame-Options").ShouldBeFalse();
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        policy.ShouldContain("frame-ancestors *");
        policy.ShouldContain("script-src 'self';");
        policy.ShouldNotContain("unsafe-inline");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
    }

    [Fact]
    public async Task no_page_has_inline_script_or_style()
    {
        foreach (var file in Directory.GetFiles(Wwwroot, "*.html"))
        {
            var html = await File.ReadAllTextAsync(file);
            System.Text.RegularExpressions.Regex.Matches(html, "<script(?![^>]*\\bsrc=)[^>]*>").ShouldBeEmpty(file);
            html.ShouldNotContain("<style", Case.Insensitive, file);
            html.ShouldNotContain(" style=", Case.Insensitive, file);
            html.ShouldNotContain(" onclick=", Case.Insensitive, file);
        }
    }

    /// <summary>The pages' sources in the repository.</summary>
    private static readonly string Wwwroot = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Host", "wwwroot");

    /// <summary>What people typed (names, answers, reasons) reaches pages as text: markup is only ever written as fixed strings.</summary>
    [Fact]
    public async Task no_page_script_writes_interpolated_text_as_markup()
    {
        var scripts = Directory.GetFiles(Wwwroot, "*.js", SearchOption.AllDirectories);
        scripts.Length.ShouldBeGreaterThan(5);
        foreach (var file in scripts)
        {
            var code = await File.ReadAllTextAsync(file);
            System.Text.RegularExpressions.Regex.Matches(code, @"(innerHTML|outerHTML)\s*\+?=\s*`[^`]*\$\{|insertAdjacentHTML\([^)]*\$\{|document\.write")
                .Select(m => m.Value).ShouldBeEmpty(file);
        }
    }
}

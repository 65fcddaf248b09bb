namespace OpenCalendly.Host.Tests;

/// <summary>
/// The built host as its own process, with the settings the published build runs with (its runtimeconfig:
/// invariant globalization, workstation GC) in Production: what the in-process test host cannot show.
/// </summary>
public sealed class PublishedHost : IAsyncLifetime
{
    public HostProcess Process { get; private set; } = null!;

    public async Task InitializeAsync() => Process = await HostProcess.StartAsync(new Dictionary<string, string>
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ConnectionStrings:Postgres"] = await App.FreshDatabase("published"),
        ["Secrets:Key"] = App.RunKey,
        ["Email:Provider"] = "file",
        ["Email:SinkFolder"] = Path.Combine(Path.GetTempPath(), "opencalendly-published-mail"),
        ["App:PublicBaseUrl"] = "https://cal.example.com",
        ["Auth:ExposeMagicLinkToken"] = "true",
        ["RateLimiting:PermitsPerMinute"] = "1000000",
    });

    public async Task DisposeAsync() => await Process.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class PublishedHostCollection : ICollectionFixture<PublishedHost>
{
    public const string Name = "published-host";
}

[Collection(PublishedHostCollection.Name)]
public sealed class PublishedHostTests(PublishedHost host)
{
    private HttpClient Http => host.Process.Http;

    [Theory]
    [InlineData("US")]
    [InlineData("GB")]
    [InlineData("DE")]
    [InlineData("IN")]
    public async Task holidays_import_on_the_published_build(string country)
    {
        var organizer = await Http.SignUp();
        var imported = (await Http.Post("/v0/me/time-off/holidays", new { country, year = 2031 }, organizer.Session)).ShouldBe(200).Json;
        imported["added"]!.AsArray().Count.ShouldBeGreaterThan(2);
        (await Http.Get($"/v0/me/time-off/holidays?country={country}&year=2032", organizer.Session)).ShouldBe(200)
            .Json["holidays"]!.AsArray().ShouldNotBeEmpty();
    }
}

/// <summary>The built host's command line as an operator meets it: help without a database, and a missing setting said in one line.</summary>
public sealed class CommandLineTests
{
    private static readonly Dictionary<string, string?> Production = new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DOTNET_ENVIRONMENT"] = "Production",
    };

    [Fact]
    public async Task help_works_without_a_database_and_says_nothing_about_its_search()
    {
        var (code, output, error) = await HostProcess.RunToEndAsync(["projections", "--help"], Production);
        (code, error.Trim()).ShouldBe((0, ""));
        output.ShouldContain("projections - Asynchronous projection and projection rebuilds");
        output.ShouldNotContain("Invalid usage");
        output.ShouldNotContain("Searching");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task help_alone_lists_the_commands(string flag)
    {
        var (code, output, error) = await HostProcess.RunToEndAsync([flag], Production);
        (code, error.Trim()).ShouldBe((0, ""), output);
        output.ShouldContain("analytics-rebuild");
        output.ShouldContain("projections");
    }

    [Theory]
    [InlineData(null, "set ConnectionStrings:Postgres")]
    [InlineData("no-key", "set Secrets:Key")]
    [InlineData("bad-key", "Secrets:Key and Secrets:RetiredKeys must be 32 random bytes in base64")]
    [InlineData("no-email", "set Email:Provider")]
    public async Task a_missing_or_wrong_setting_stops_the_host_with_one_line(string? setUp, string said)
    {
        var settings = new Dictionary<string, string?>(Production)
        {
            ["Secrets:Key"] = setUp == "bad-key" ? "not base64!" : setUp == "no-key" ? null : App.RunKey,
            ["Email:Provider"] = setUp == "no-email" ? null : "file",
            ["App:PublicBaseUrl"] = "https://cal.example.com",
        };
        if (setUp is not null) settings["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Database=unused";
        var (code, output, error) = await HostProcess.RunToEndAsync([], settings);
        code.ShouldBe(2, output + error);
        error.Trim().ShouldStartWith($"OpenCalendly cannot start: {said}");
        error.Trim().Split('\n').Length.ShouldBe(1, error);
        output.ShouldNotContain("Searching");
    }
}

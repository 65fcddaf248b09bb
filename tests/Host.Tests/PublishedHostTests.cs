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

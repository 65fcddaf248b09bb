using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Wolverine;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// One host per test collection against the run's PostgreSQL (scripts/test provides it and sets
/// ConnectionStrings__Postgres). Tests isolate themselves with fresh users and slugs.
/// </summary>
public class App : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public string MailFolder { get; } = Path.Combine(Path.GetTempPath(), "opencalendly-mail-" + Guid.NewGuid().ToString("N")[..8]);

    protected virtual int PermitsPerMinute => 1_000_000;

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
        ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run the suite with scripts/test.");

    public async Task InitializeAsync()
    {
        JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:Postgres", ConnectionString);
            builder.UseSetting("Auth:ExposeMagicLinkToken", "true");
            builder.UseSetting("RateLimiting:PermitsPerMinute", PermitsPerMinute.ToString());
            builder.UseSetting("Email:SinkFolder", MailFolder);
            builder.UseSetting("App:PublicBaseUrl", "http://opencalendly.test");
            builder.ConfigureServices(services => services.DisableAllExternalWolverineTransports());
        });
        Http = Host.Server.CreateClient();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<App>
{
    public const string Name = "app";
}

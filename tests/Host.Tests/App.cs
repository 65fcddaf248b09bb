using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
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

    /// <summary>Settings a derived host changes (its email provider, say).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>The host's clock: real time plus an offset a test may move (tests in a collection run one at a time).</summary>
    public TestClock Clock { get; } = new();

    /// <summary>Hosts start one at a time: concurrent schema migrations of one database can collide.</summary>
    private static readonly SemaphoreSlim StartGate = new(1, 1);

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
        ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run the suite with scripts/test.");

    public async Task InitializeAsync()
    {
        Host = await StartHost(Settings);
        Http = Host.Server.CreateClient();
    }

    /// <summary>Starts a host on the run's database; the restart tests start more than one in turn.</summary>
    public async Task<IAlbaHost> StartHost(IDictionary<string, string?> settings)
    {
        JasperFxEnvironment.AutoStartHost = true;
        await StartGate.WaitAsync();
        try
        {
            return await AlbaHost.For<Program>(builder => Configure(builder, settings));
        }
        finally
        {
            StartGate.Release();
        }
    }

    private void Configure(IWebHostBuilder builder, IDictionary<string, string?> settings)
    {
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:Postgres", ConnectionString);
            builder.UseSetting("Auth:ExposeMagicLinkToken", "true");
            builder.UseSetting("RateLimiting:PermitsPerMinute", PermitsPerMinute.ToString());
            builder.UseSetting("Email:SinkFolder", MailFolder);
            builder.UseSetting("App:PublicBaseUrl", "http://opencalendly.test");
            builder.UseSetting("Messaging:RetryDelaysSeconds", "1,1,2");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureServices(services =>
            {
                services.DisableAllExternalWolverineTransports();
                services.AddSingleton<TimeProvider>(Clock);
            });
        }
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

using Alba;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
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

    /// <summary>The host's clock: real time plus an offset a test may move (tests in a collection run one at a time).</summary>
    public TestClock Clock { get; } = new();

    /// <summary>What the host logged (at its configured levels).</summary>
    public CapturedLogs Logs { get; } = new();

    protected virtual int PermitsPerMinute => 1_000_000;

    /// <summary>Runs of deliveries by hand per address and minute (the host's default is 6).</summary>
    protected virtual int? DeliveryRunsPerMinute => 1_000_000;

    /// <summary>Funnel events per event type and minute (the host's default is 600).</summary>
    protected virtual int? FunnelEventsPerEventTypePerMinute => 0;

    /// <summary>The host's environment: Testing, unless a fixture runs the Production settings.</summary>
    protected virtual string EnvironmentName => "Testing";

    /// <summary>
    /// A database of its own, on the same server, for hosts whose durable messages must not be picked up
    /// by the other collections' hosts (Wolverine nodes sharing a database share their message recovery).
    /// </summary>
    protected virtual string? OwnDatabase => null;

    /// <summary>Settings a derived host changes (its email provider, say).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Postgres")
        ?? throw new InvalidOperationException("ConnectionStrings__Postgres is not set: run the suite with scripts/test.");

    public string DatabaseConnectionString { get; private set; } = ConnectionString;

    /// <summary>The origin a browser client on another site (the reference web app) calls from.</summary>
    public const string WebAppOrigin = "http://localhost:3000";

    /// <summary>Outside Production a host without <c>Secrets:Key</c> draws a random key of its own.</summary>
    public static readonly string RunKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Hosts start one at a time: concurrent schema migrations of one database can collide.</summary>
    private static readonly SemaphoreSlim StartGate = new(1, 1);

    public virtual async Task InitializeAsync()
    {
        if (OwnDatabase is { } name) DatabaseConnectionString = await FreshDatabase(name);
        Host = await StartHost();
        Http = Host.Server.CreateClient();
    }

    /// <summary>Starts a host with this fixture's settings; the restart tests start more than one in turn.</summary>
    public async Task<IAlbaHost> StartHost()
    {
        JasperFxEnvironment.AutoStartHost = true;
        await StartGate.WaitAsync();
        try
        {
            return await AlbaHost.For<Program>(Configure);
        }
        finally
        {
            StartGate.Release();
        }
    }

    private void Configure(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("ConnectionStrings:Postgres", DatabaseConnectionString);
        builder.UseSetting("Auth:ExposeMagicLinkToken", "true");
        builder.UseSetting("RateLimiting:PermitsPerMinute", PermitsPerMinute.ToString());
        if (FunnelEventsPerEventTypePerMinute is { } funnel) builder.UseSetting("RateLimiting:FunnelEventsPerEventTypePerMinute", funnel.ToString());
        if (DeliveryRunsPerMinute is { } runs) builder.UseSetting("RateLimiting:DeliveryRunsPerMinute", runs.ToString());
        builder.UseSetting("Email:SinkFolder", MailFolder);
        builder.UseSetting("App:PublicBaseUrl", "http://opencalendly.test");
        builder.UseSetting("Cors:AllowedOrigins", WebAppOrigin);
        builder.UseSetting("Messaging:RetryDelaysSeconds", "1,1,2");
        // One key for every host of the run: a restarted host must open what the one before it sealed.
        builder.UseSetting("Secrets:Key", RunKey);
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureServices(services =>
        {
            services.DisableAllExternalWolverineTransports();
            services.AddSingleton<TimeProvider>(Clock);
            ConfigureServices(services);
        });
    }

    /// <summary>Services a derived host adds or replaces (a fault to inject, say).</summary>
    protected virtual void ConfigureServices(IServiceCollection services) { }

    public static async Task<string> FreshDatabase(string name)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        var database = $"{builder.Database}_{name}";
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        builder.Database = database;
        return builder.ConnectionString;
    }

    public virtual async Task DisposeAsync()
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

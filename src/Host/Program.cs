using System.Text.Json;
using System.Text.Json.Serialization;
using JasperFx;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using OpenCalendly.Host.Analytics;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Bookings;
using OpenCalendly.Host.Calendars;
using OpenCalendly.Host.Demo;
using OpenCalendly.Host.Health;
using OpenCalendly.Host.Identity;
using OpenCalendly.Host.Pages;
using OpenCalendly.Host.Teams;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Integrations.Webhooks;
using OpenCalendly.Host.Email;
using OpenCalendly.Integrations.Secrets;
using OpenCalendly.Projections;
using Scalar.AspNetCore;
using Wolverine;
using Wolverine.ErrorHandling;
using Wolverine.Http;
using Wolverine.Marten;

SettingsProblem.StopWithOneLine();
var builder = WebApplication.CreateBuilder(args);
var config = builder.Configuration;
var helpOnly = SettingsProblem.HelpOnly(args);
// Help needs no database: a placeholder that is never connected to stands in for a missing connection string.
var connectionString = config.GetConnectionString("Postgres") is { Length: > 0 } configured ? configured
    : helpOnly ? "Host=127.0.0.1;Database=help-only"
    : throw new SettingsProblem("set ConnectionStrings:Postgres (environment variable ConnectionStrings__Postgres).");

builder.Services.AddSingleton(TimeProvider.System);
// Every logger's scopes go through it: the request scope's path loses action tokens.
builder.Services.AddSingleton<IExternalScopeProvider, RedactingScopeProvider>();
// Behind a transaction-mode pooler (PgBouncer), ConnectionStrings:PostgresDirect reaches PostgreSQL itself for what needs a
// session of its own: LISTEN, and Wolverine's message store (its leader election and scheduled-job locks are session locks).
var directConnectionString = config.GetConnectionString("PostgresDirect") is { Length: > 0 } direct ? direct : null;
var databaseConnectionString = ConnectionDefaults.Apply(connectionString, pooled: directConnectionString is not null);
var database = NpgsqlDataSource.Create(databaseConnectionString);
var directDatabase = directConnectionString is null ? database : NpgsqlDataSource.Create(ConnectionDefaults.Apply(directConnectionString));
builder.Services.AddSingleton(database);
builder.Services.AddSingleton(new DirectDatabase(directDatabase));
if (directConnectionString is not null) builder.Services.AddSingleton(new PooledConnection(databaseConnectionString));
builder.Services.AddSingleton(SecretKeys.Load(config, builder.Environment, helpOnly));
builder.Services.AddSingleton<Idempotency>();
builder.Services.AddHostedService<IdempotencyRetention>();
builder.Services.AddSingleton<BookingAnswers>();
builder.Services.AddSingleton<BookingMail>();
builder.Services.AddSingleton<BookingEffects>();
builder.Services.AddSingleton<BookingTurns>();
builder.Services.AddMemoryCache();
builder.Services.AddSingleton<PublicPageCache>();
builder.Services.AddSingleton<TakenTimeCache>();
builder.Services.AddHostedService<TakenTimeListener>();
builder.Services.AddSingleton<FunnelRecorder>();
builder.Services.AddSingleton<FunnelLimits>();
builder.Services.AddHostedService(services => services.GetRequiredService<FunnelRecorder>());
builder.Services.AddHostedService<IdleMemoryTrim>();
builder.Services.AddSingleton<EmailOutbox>();
EmailProviders.Add(builder.Services, config, builder.Environment, helpOnly);
if (PublicUrls.Check(config, builder.Environment, builder.Services) is { } badOrigin && !helpOnly) throw new SettingsProblem(badOrigin);
var webhooks = WebhookSettings.From(config);
builder.Services.AddSingleton(webhooks);
builder.Services.AddSingleton<WebhookSender>();
builder.Services.AddSingleton<WebhookAttempts>();
builder.Services.AddSingleton<WebhookQueue>();
builder.Services.AddHttpClient(WebhookSender.ClientName, http => http.Timeout = webhooks.Timeout)
    .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        ConnectCallback = webhooks.AllowPrivateTargets ? null : WebhookTargets.ConnectPublicOnlyAsync,
    });
builder.Services.AddSingleton(CalendarSettings.From(config));
CalendarSettings.AddProviders(builder.Services, config);
builder.Services.AddSingleton<OAuthState>();
builder.Services.AddSingleton<CalendarAccess>();
var calDav = CalDavOptions.From(config);
builder.Services.AddSingleton(calDav);
builder.Services.AddSingleton<ConnectedCalendars>();
builder.Services.AddHttpClient(CalDavOptions.ClientName, http => http.Timeout = calDav.Timeout)
    .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
    {
        // Discovery reads RFC 6764's redirect itself; every connection (a redirect's too) passes the SSRF guard.
        AllowAutoRedirect = false,
        ConnectCallback = calDav.AllowPrivateServers ? null : WebhookTargets.ConnectPublicOnlyAsync,
    });
builder.Services.AddSingleton<CalendarCalls>();
builder.Services.AddSingleton<CalendarSync>();
builder.Services.AddSingleton<WritebackAttempts>();
var retries = RetrySchedule.From(config);
builder.Services.AddSingleton(retries);

var martenSetup = builder.Services.AddMarten(opts =>
    {
        StoreConfiguration.Apply(opts);
        IdentityStore.Apply(opts);
        AvailabilityStore.Apply(opts);
        Idempotency.Apply(opts);
        EmailOutbox.Apply(opts);
        WebhookSettings.Apply(opts);
        Team.Apply(opts);
        CalendarSettings.Apply(opts);
        OAuthAttempt.Apply(opts);
        // Behind a pooler, the store's own data source is the direct one: Wolverine's message store takes it (for a
        // single database it cannot be given another), and with it its session locks. Sessions go through the pooler.
        if (directConnectionString is not null) opts.Connection(directDatabase);
    });
var marten = directConnectionString is null ? martenSetup.UseNpgsqlDataSource().UseLightweightSessions() : martenSetup.BuildSessionsWith<PooledSessions>();
marten.ApplyAllDatabaseChangesOnStartup().IntegrateWithWolverine();
builder.Services.ConfigureMarten((services, opts) => opts.Listeners.Add(services.GetRequiredService<TakenTimeCache>()));

builder.Host.UseWolverine(opts =>
{
    // Handlers and endpoints use the code generated ahead of time under Internal/Generated (scripts/codegen);
    // only what is missing there is compiled at run time, which would load Roslyn (about 280 MB).
    opts.CodeGeneration.TypeLoadMode = JasperFx.CodeGeneration.TypeLoadMode.Auto;
    opts.Policies.AutoApplyTransactions();
    opts.Policies.UseDurableLocalQueues();
    // An attempt holds no database connection during its call and waits at most the webhook timeout, so many may be in
    // flight; the per-organizer and per-subscription gates in WebhookAttempts keep one receiver from taking them all.
    opts.LocalQueueFor<DeliverWebhook>().MaximumParallelMessages(webhooks.ConcurrentAttempts);
    opts.Policies.UseDurableOutboxOnAllSendingEndpoints();
    // Durable: a scheduled retry is a row in PostgreSQL, so it survives a crash or restart.
    opts.OnException<Exception>().ScheduleRetry([.. retries.Delays]).Then.MoveToErrorQueue();
    // Failover: how often each node reports its health, and how old that report may grow before another
    // node takes over the dead node's messages. Wolverine's defaults unless set (tests shorten both).
    if (config.GetValue<double?>("Messaging:HealthCheckSeconds") is { } health)
        (opts.Durability.HealthCheckPollingTime, opts.Durability.FirstHealthCheckExecution) = (TimeSpan.FromSeconds(health), TimeSpan.FromSeconds(health));
    if (config.GetValue<double?>("Messaging:StaleNodeSeconds") is { } stale) opts.Durability.StaleNodeTimeout = TimeSpan.FromSeconds(stale);
});

builder.Services.AddWolverineHttp();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
    o.SerializerOptions.Converters.Add(new InstantJsonConverter());
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
});
builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
{
    c.ProblemDetails.Extensions.Remove("traceId");
    Problems.Shape(c.ProblemDetails);
});
builder.Services.AddExceptionHandler<DatabaseConflicts>();
builder.Services.AddAuthentication(SessionAuthentication.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, SessionAuthentication>(SessionAuthentication.SchemeName, null);
builder.Services.AddAuthorization(ScopePolicies.Configure);
builder.Services.AddSingleton<IAuthorizationHandler, ScopeChecks>();
builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthorizationProblems>();
builder.Services.AddRateLimiter(o => RateLimits.Configure(o, config));
CorsSettings.Add(builder.Services, config);
builder.Services.AddOpenApi(OpenApiAdditions.Configure);
Telemetry.Add(builder.Services, config);
builder.Services.AddHostedService<DemoSeed>();

var app = builder.Build();

app.UseMiddleware<SecurityHeaders>();
// First, so a preflight is answered before anything else runs; its headers are applied as the answer starts,
// so problems written by the exception handler (a 409 from the database, say) carry them too.
app.UseCors(CorsSettings.Policy);
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseMiddleware<JsonBodyGate>();
app.UseRateLimiter();
app.UseAuthentication();
app.UseAuthorization();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapOpenApi("/openapi/{documentName}.json");
// The reference uses the browser's fonts: a self-hosted server should not send its readers to a third party's CDN
// (the page's policy allows fonts from this origin only).
app.MapScalarApiReference("/docs", options => options.DisableDefaultFonts());
app.MapWolverineEndpoints(http => http.AddMiddleware(typeof(IdempotentWrites), IdempotentAttribute.Marks));
PageRoutes.Map(app);

// A server start (no command, only host settings such as --urls) runs the host itself: JasperFx's command line would
// first print every assembly it searches for commands. Commands (projections, analytics-rebuild, help…) go through it.
if (args.Length == 0 || args[0].StartsWith('-') && !helpOnly)
{
    await app.RunAsync();
    return 0;
}
// JasperFx prints every assembly it searches for commands until its host extensions were applied. The host here is built
// already and none are registered, so applying the empty set (public API; it only sets that flag) keeps a command's
// output to what the command says.
new JasperFx.CommandLine.CommandFactory().ApplyExtensions(new ServiceCollection());
// JasperFx says help as "help [command]": "projections --help" becomes "help projections", "--help" alone "help".
// It answers a command's help with exit code 1; help that was printed is a success.
var exitCode = await app.RunJasperFxCommands(!helpOnly ? args : args[0] switch
{
    "help" or "?" => args,
    ['-', ..] => ["help"],
    var command => ["help", command],
});
return helpOnly ? 0 : exitCode;

/// <summary>Visible to the test host.</summary>
public partial class Program;

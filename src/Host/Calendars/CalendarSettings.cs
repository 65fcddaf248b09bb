using Marten;
using OpenCalendly.Host.Api;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Calendars;

/// <summary>Section <c>Calendar</c>: how often connected calendars re-sync and how writeback retries.</summary>
public sealed record CalendarSettings(TimeSpan SyncInterval, TimeSpan RetryBase, TimeSpan RetryCap, int MaxAttempts)
{
    public static CalendarSettings From(IConfiguration config) => new(
        config.GetValue("Calendar:SyncInterval", TimeSpan.FromMinutes(10)),
        TimeSpan.FromSeconds(config.GetValue("Calendar:Writeback:RetryBaseSeconds", 30.0)),
        TimeSpan.FromSeconds(config.GetValue("Calendar:Writeback:RetryCapSeconds", 3600.0)),
        config.GetValue("Calendar:Writeback:MaxAttempts", 6));

    public TimeSpan DelayAfter(int attempt) => Backoff.DelayAfter(attempt, RetryBase, RetryCap);

    /// <summary>
    /// The providers this server has OAuth apps for (<c>Calendar:Google:ClientId</c> / <c>ClientSecret</c>, and the
    /// same under <c>Calendar:Microsoft</c>); the endpoint URLs default to the real providers.
    /// </summary>
    public static void AddProviders(IServiceCollection services, IConfiguration config)
    {
        var google = config.GetSection("Calendar:Google");
        if (google["ClientId"] is { Length: > 0 } googleId && google["ClientSecret"] is { Length: > 0 } googleSecret)
        {
            var defaults = new GoogleCalendarOptions(googleId, googleSecret);
            services.AddSingleton(new GoogleCalendarOptions(googleId, googleSecret,
                google["AuthorizeUrl"] ?? defaults.AuthorizeUrl, google["TokenUrl"] ?? defaults.TokenUrl, google["ApiBaseUrl"] ?? defaults.ApiBaseUrl));
            services.AddSingleton<ICalendarProvider, GoogleCalendar>();
        }
        var microsoft = config.GetSection("Calendar:Microsoft");
        if (microsoft["ClientId"] is { Length: > 0 } microsoftId && microsoft["ClientSecret"] is { Length: > 0 } microsoftSecret)
        {
            var defaults = new MicrosoftCalendarOptions(microsoftId, microsoftSecret);
            services.AddSingleton(new MicrosoftCalendarOptions(microsoftId, microsoftSecret,
                microsoft["AuthorityUrl"] ?? defaults.AuthorityUrl, microsoft["GraphBaseUrl"] ?? defaults.GraphBaseUrl));
            services.AddSingleton<ICalendarProvider, MicrosoftCalendar>();
        }
        var timeout = TimeSpan.FromSeconds(config.GetValue("Calendar:TimeoutSeconds", 15.0));
        services.AddHttpClient(GoogleCalendar.ClientName, http => http.Timeout = timeout);
        services.AddHttpClient(MicrosoftCalendar.ClientName, http => http.Timeout = timeout);
        services.AddSingleton<CalendarProviders>();
    }

    public static void Apply(StoreOptions opts)
    {
        opts.Schema.For<CalendarWriteback>().Index(x => x.UserId).Index(x => x.ConnectionId);
        opts.Schema.For<CalendarCallLease>();
    }
}

/// <summary>The configured providers by kind.</summary>
public sealed class CalendarProviders(IEnumerable<ICalendarProvider> providers)
{
    private readonly Dictionary<CalendarProvider, ICalendarProvider> _byKind = providers.ToDictionary(p => p.Kind);

    public static readonly CalendarProvider[] All = [CalendarProvider.Google, CalendarProvider.Microsoft, CalendarProvider.CalDav];

    /// <summary>An OAuth provider's adapter, when this server has an app for it (never for CalDAV, which signs in with a password).</summary>
    public ICalendarProvider? Find(CalendarProvider kind) => _byKind.GetValueOrDefault(kind);

    /// <summary>Whether organizers can connect this provider here: CalDAV always, the OAuth providers when their app is configured.</summary>
    public bool IsConfigured(CalendarProvider kind) => kind == CalendarProvider.CalDav || _byKind.ContainsKey(kind);

    /// <summary>The route's provider segment: <c>google</c>, <c>microsoft</c> or <c>caldav</c>.</summary>
    public static CalendarProvider? Parse(string segment) => segment switch
    {
        "google" => CalendarProvider.Google,
        "microsoft" => CalendarProvider.Microsoft,
        "caldav" => CalendarProvider.CalDav,
        _ => null,
    };

    public static string Name(CalendarProvider kind) => kind switch
    {
        CalendarProvider.Google => "google",
        CalendarProvider.Microsoft => "microsoft",
        _ => "caldav",
    };
}

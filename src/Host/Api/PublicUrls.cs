using System.Net;
using Microsoft.AspNetCore.HostFiltering;

namespace OpenCalendly.Host.Api;

/// <summary>
/// The origin that links in emails and answers are built on. A request's <c>Host</c> header is the caller's to
/// choose, so it is never trusted for a link that reaches someone else's inbox: Production requires
/// <c>App:PublicBaseUrl</c>; elsewhere the request's origin is used only when it names a loopback host.
/// </summary>
public static class PublicUrls
{
    public const string Key = "App:PublicBaseUrl";

    public static string Base(IConfiguration config, HttpRequest request)
    {
        if (config[Key] is { Length: > 0 } configured) return configured.TrimEnd('/');
        // Only outside Production (Production refuses to start without the setting): a developer's own machine.
        var port = request.Host.Port is { } p ? $":{p}" : "";
        return IsLoopback(request.Host.Host) ? $"{request.Scheme}://{request.Host}" : $"{request.Scheme}://localhost{port}";
    }

    public static bool IsLoopback(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>
    /// The startup check: in Production the setting must be an absolute http(s) URL, and unless <c>AllowedHosts</c>
    /// is set, requests are accepted only for its host (and loopback names, for probes on the machine itself).
    /// </summary>
    public static string? Check(IConfiguration config, IHostEnvironment environment, IServiceCollection services)
    {
        var configured = config[Key];
        if (configured is { Length: > 0 } && !(Uri.TryCreate(configured, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https"))
            return $"{Key} must be an absolute http(s) URL such as https://cal.example.com (got '{configured}').";
        if (!environment.IsProduction()) return null;
        if (configured is not { Length: > 0 })
            return $"{Key} is required in Production: the public origin of this server, such as https://cal.example.com (env App__PublicBaseUrl).";
        if (config["AllowedHosts"] is not { Length: > 0 })
        {
            var host = new Uri(configured).Host;
            services.Configure<HostFilteringOptions>(o => o.AllowedHosts = [host, "localhost", "127.0.0.1", "[::1]"]);
        }
        return null;
    }
}

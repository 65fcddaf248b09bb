using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OpenCalendly.Host.Identity;

namespace OpenCalendly.Host.Api;

/// <summary>
/// Public routes are limited per client address, each named policy (the endpoint's <c>[EnableRateLimiting]</c>) with a
/// fixed one-minute window of its own, per node: <c>RateLimiting:PermitsPerMinute</c> (default 120) for each public
/// scope and <c>RateLimiting:DeliveryRunsPerMinute</c> (default 6) for running deliveries by hand. The organizer's own
/// routes carry no policy, so they never share a budget with public traffic. Requests made with an API key are also
/// limited per key, on every route (<c>RateLimiting:ApiKeyPermitsPerMinute</c>, default 600; 0 turns it off), apart from
/// the address budgets: an integrator's batch job does not spend its office's public budget, nor the other way round.
/// </summary>
public static class RateLimits
{
    public const int DefaultPermitsPerMinute = 120;
    public const int DefaultApiKeyPermitsPerMinute = 600;

    /// <summary>Sign-in: the link request, its preview and its verification.</summary>
    public const string Auth = "auth";
    /// <summary>Slots of a personal or team event type.</summary>
    public const string Availability = "availability";
    /// <summary>A public event type page's data.</summary>
    public const string PublicPage = "public-page";
    /// <summary>Booking, and what an action link does.</summary>
    public const string Booking = "booking";
    /// <summary>The booking page's funnel events.</summary>
    public const string Funnel = "funnel";
    /// <summary>Running due webhook deliveries or calendar writebacks by hand: outbound calls, so a much smaller budget.</summary>
    public const string DeliveryRun = "delivery-run";

    public static void Configure(RateLimiterOptions options, IConfiguration config)
    {
        var permits = config.GetValue("RateLimiting:PermitsPerMinute", DefaultPermitsPerMinute);
        var runs = config.GetValue("RateLimiting:DeliveryRunsPerMinute", 6);
        foreach (var policy in new[] { Auth, Availability, PublicPage, Booking, Funnel })
            options.AddPolicy(policy, context => PerAddress(context, permits));
        options.AddPolicy(DeliveryRun, context => PerAddress(context, runs));
        var perKey = config.GetValue("RateLimiting:ApiKeyPermitsPerMinute", DefaultApiKeyPermitsPerMinute);
        if (perKey > 0) options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => PerApiKey(context, perKey));

        options.OnRejected = async (rejected, ct) =>
        {
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            var response = rejected.HttpContext.Response;
            response.StatusCode = 429;
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            var message = ApiKeyToken(rejected.HttpContext) is null
                ? "Too many requests from this address; retry later."
                : "Too many requests with this API key (or from this address); retry later.";
            await Problems.Result(Problems.Create(429, "rate-limited", message)).ExecuteAsync(rejected.HttpContext);
        };
    }

    /// <summary>A window per key, named by the token's hash (the limiter runs before authentication, and keeps no token).</summary>
    private static RateLimitPartition<string> PerApiKey(HttpContext context, int permits) =>
        ApiKeyToken(context) is { } token
            ? RateLimitPartition.GetFixedWindowLimiter(Tokens.Hash(token),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
            : RateLimitPartition.GetNoLimiter("");

    private static string? ApiKeyToken(HttpContext context) =>
        SessionAuthentication.BearerToken(context.Request) is { } token && ApiKey.LooksLikeToken(token) && token.Length <= 200 ? token : null;

    private static RateLimitPartition<string> PerAddress(HttpContext context, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
}

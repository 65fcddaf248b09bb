using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace OpenCalendly.Host.Api;

/// <summary>
/// Public routes are limited per client address, each named policy (the endpoint's <c>[EnableRateLimiting]</c>) with a
/// fixed one-minute window of its own, per node: <c>RateLimiting:PermitsPerMinute</c> (default 120) for each public
/// scope and <c>RateLimiting:DeliveryRunsPerMinute</c> (default 6) for running deliveries by hand. The organizer's own
/// routes carry no policy, so they never share a budget with public traffic.
/// </summary>
public static class RateLimits
{
    public const int DefaultPermitsPerMinute = 120;

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

        options.OnRejected = async (rejected, ct) =>
        {
            var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
            var response = rejected.HttpContext.Response;
            response.StatusCode = 429;
            response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await Problems.Result(Problems.Create(429, "rate-limited", "Too many requests from this address; retry later."))
                .ExecuteAsync(rejected.HttpContext);
        };
    }

    private static RateLimitPartition<string> PerAddress(HttpContext context, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
}

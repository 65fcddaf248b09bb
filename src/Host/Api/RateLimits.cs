using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace OpenCalendly.Host.Api;

/// <summary>
/// Public routes are limited per client IP and route scope (fixed one-minute windows, per node).
/// <c>RateLimiting:PermitsPerMinute</c> sets the limit (default 120).
/// </summary>
public static class RateLimits
{
    public const int DefaultPermitsPerMinute = 120;

    public static void Configure(RateLimiterOptions options, IConfiguration config)
    {
        var permits = config.GetValue("RateLimiting:PermitsPerMinute", DefaultPermitsPerMinute);
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            Scope(context.Request) is { } scope
                ? RateLimitPartition.GetFixedWindowLimiter($"{context.Connection.RemoteIpAddress}|{scope}",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter(""));

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

    /// <summary>The route scope a request counts against, or null for routes that are not limited.</summary>
    public static string? Scope(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        if (path.StartsWith("/v0/auth/", StringComparison.Ordinal)) return "auth";
        if (path.StartsWith("/v0/users/", StringComparison.Ordinal) || path.StartsWith("/v0/teams/", StringComparison.Ordinal) && HttpMethods.IsGet(request.Method))
            return path.EndsWith("/availability", StringComparison.Ordinal) ? "availability" : "public-page";
        if (path.StartsWith("/v0/bookings", StringComparison.Ordinal) || path == "/v0/team-bookings") return "booking";
        if (path.StartsWith("/v0/analytics/funnel/events", StringComparison.Ordinal)) return "funnel";
        return null;
    }
}

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
        // Running deliveries by hand makes outbound calls: a much smaller budget than page reads.
        var runs = config.GetValue("RateLimiting:DeliveryRunsPerMinute", 6);
        options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            Scope(context.Request) is { } scope
                ? RateLimitPartition.GetFixedWindowLimiter($"{context.Connection.RemoteIpAddress}|{scope}",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = scope == "delivery-run" ? runs : permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 })
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

    /// <summary>
    /// The route scope a request counts against, or null for routes that are not limited: the organizer's own
    /// routes (<c>/v0/auth/me</c>, team management, booking history…) never share a budget with public traffic.
    /// </summary>
    public static string? Scope(HttpRequest request)
    {
        // Routing ignores case, so the limit does too: /V0/USERS/… is the same page.
        var segments = (request.Path.Value ?? "").ToLowerInvariant().Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments switch
        {
            ["v0", "auth", "magic-link" or "verify"] or ["v0", "auth", "magic-link", "preview"] => "auth",
            ["v0", "webhooks" or "calendar", "deliveries" or "writeback", "run"] when HttpMethods.IsPost(request.Method) => "delivery-run",
            ["v0", "users", _, "event-types", _, "availability"] => "availability",
            ["v0", "users", ..] => "public-page",
            ["v0", "teams", _, "event-types", _, "availability"] when HttpMethods.IsGet(request.Method) => "availability",
            ["v0", "teams", _, "event-types", _] when HttpMethods.IsGet(request.Method) => "public-page",
            ["v0", "bookings"] or ["v0", "team-bookings"] or ["v0", "bookings", "actions", ..] => "booking",
            ["v0", "analytics", "funnel", "events"] => "funnel",
            _ => null,
        };
    }
}

namespace OpenCalendly.Host.Api;

/// <summary>
/// Headers on every answer: no sniffing, no referrer (action links carry tokens in their paths), no framing, and
/// for pages a content security policy that allows only this origin's scripts, styles and calls (no inline
/// script anywhere). The API reference at <c>/docs</c> (Scalar) needs inline script and eval, so it gets a looser policy of its own.
/// API answers are never stored by a browser or proxy (sign-in answers carry session tokens, booking answers action links),
/// and in Production, with an https public origin, browsers are told to use https only (HSTS).
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, IConfiguration config, IHostEnvironment environment)
{
    private readonly bool _hsts = environment.IsProduction()
        && config[PublicUrls.Key] is { } origin && origin.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string DocsPolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>The page policy with framing open to any site: for the booking pages that <c>/embed.js</c> frames.</summary>
    public static readonly string EmbeddablePagePolicy = PagePolicy.Replace("frame-ancestors 'none'", "frame-ancestors *");

    public static void AllowFraming(HttpResponse response)
    {
        response.Headers.Remove("X-Frame-Options");
        response.Headers.ContentSecurityPolicy = EmbeddablePagePolicy;
    }

    /// <summary>The API, and the pages whose address carries a token.</summary>
    private static readonly string[] NeverStored = ["/v0", "/health", "/auth", "/booking/actions", "/bookings/actions"];

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs") ? DocsPolicy : PagePolicy;
        if (NeverStored.Any(prefix => context.Request.Path.StartsWithSegments(prefix))) headers.CacheControl = "no-store";
        if (_hsts) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        return next(context);
    }
}

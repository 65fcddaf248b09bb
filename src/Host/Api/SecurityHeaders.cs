namespace OpenCalendly.Host.Api;

/// <summary>
/// Headers on every answer: no sniffing, no referrer (action links carry tokens in their paths), no framing, and
/// for pages a content security policy that allows only this origin's scripts, styles and calls (no inline
/// script anywhere). The API reference at <c>/docs</c> (Scalar) needs inline script and eval, so it gets a looser policy of its own.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
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

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/docs") ? DocsPolicy : PagePolicy;
        return next(context);
    }
}

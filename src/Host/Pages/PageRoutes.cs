namespace OpenCalendly.Host.Pages;

/// <summary>
/// The front end's routes: each serves one static page from <c>wwwroot</c>, whose module reads the rest of the
/// path and calls the JSON API. Literal routes (<c>/v0/…</c>, <c>/health/…</c>, <c>/docs</c>) win over the
/// <c>/{username}/{slug}</c> pattern.
/// </summary>
public static class PageRoutes
{
    /// <summary>First path segments the API and the pages use: no username may be one of them.</summary>
    public static readonly IReadOnlySet<string> ReservedNames =
        new HashSet<string>(["v0", "auth", "booking", "bookings", "team", "docs", "health", "openapi", "organizer", "settings", "embed", "js", "css"]);

    public static void Map(WebApplication app)
    {
        Widget(app);
        Page(app, "/auth/sign-in", "sign-in.html");
        Page(app, "/auth/verify", "verify.html");
        // The plural path is the one emails link to (the reference web app's); the singular one keeps older emails working.
        Page(app, "/bookings/actions/{token}", "manage.html");
        Page(app, "/booking/actions/{token}", "manage.html");
        Page(app, "/organizer", "organizer.html");
        Page(app, "/settings/calendar/{provider:regex(^(google|microsoft)$)}/callback", "settings-callback.html");
        // Names and slugs never contain a dot, so static files (/js/api.js) never match these.
        Page(app, "/team/{teamSlug:regex(^[a-z0-9-]+$)}/{slug:regex(^[a-z0-9-]+$)}", "book.html", embeddable: true);
        // The API's and the pages' own first segments are never a username here: /v0/nothing stays a 404.
        Page(app, $"/{{username:regex(^(?!({string.Join('|', ReservedNames)})$)[a-z0-9-]+$)}}/{{slug:regex(^[a-z0-9-]+$)}}", "book.html", embeddable: true);
    }

    /// <summary>
    /// The reference web app's embed route: the widget script reads its own query (username, eventSlug, timezone, theme);
    /// a request without a valid username and event slug is refused here so a typo shows in the network panel.
    /// </summary>
    private static readonly System.Text.RegularExpressions.Regex WidgetName = new("^[a-z0-9-]{1,80}$", System.Text.RegularExpressions.RegexOptions.Compiled);

    private static void Widget(WebApplication app) =>
        app.MapMethods("/v0/embed/widget.js", [HttpMethods.Get, HttpMethods.Head], (IWebHostEnvironment env, HttpRequest request) =>
            {
                if (request.Query["username"].ToString() is not { } username || !WidgetName.IsMatch(username)
                    || request.Query["eventSlug"].ToString() is not { } slug || !WidgetName.IsMatch(slug))
                    return Api.Problems.Result(Api.Problems.Validation(new Dictionary<string, string[]>
                    {
                        ["username"] = ["username and eventSlug are required: lowercase letters, digits and hyphens."],
                    }));
                return Results.File(Path.Combine(env.WebRootPath, "widget.js"), "application/javascript; charset=utf-8");
            })
            .ExcludeFromDescription();

    /// <param name="embeddable">Booking pages may be framed by any site (that is what /embed.js does); every other page refuses framing.</param>
    private static void Page(WebApplication app, string route, string file, bool embeddable = false) =>
        app.MapMethods(route, [HttpMethods.Get, HttpMethods.Head], (IWebHostEnvironment env, HttpContext http) =>
            {
                if (embeddable) Api.SecurityHeaders.AllowFraming(http.Response);
                return Results.File(Path.Combine(env.WebRootPath, file), "text/html; charset=utf-8");
            })
            .ExcludeFromDescription();
}

using System.Net.Sockets;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// The host on a real Kestrel port (a browser can't reach Alba's in-memory server), with Debian's Chromium
/// driven by Playwright through <c>ExecutablePath</c>: nothing downloads a browser.
/// </summary>
public sealed class BrowserApp : IAsyncLifetime
{
    private WebApplicationFactory<Program> _factory = null!;
    private IPlaywright _playwright = null!;

    /// <summary>Google, as the console's Connect button meets it (consent page included).</summary>
    public GoogleStandIn Google { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>A CalDAV server the console connects to (the host may reach it on 127.0.0.1).</summary>
    public Radicale Radicale { get; } = new();

    /// <summary>Another site (another port) that the host lists in <c>Cors:AllowedOrigins</c>, and one it does not.</summary>
    public string WebSite { get; private set; } = "";
    public string OtherSite { get; private set; } = "";
    private readonly List<Microsoft.AspNetCore.Builder.WebApplication> _sites = [];
    public string BaseUrl { get; private set; } = "";
    public HttpClient Http { get; private set; } = null!;

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public async Task InitializeAsync()
    {
        var database = await App.FreshDatabase("browser");
        Google = await GoogleStandIn.StartAsync();
        await Radicale.InitializeAsync();
        foreach (var _ in new[] { 0, 1 })
        {
            var (site, url) = await LocalServer.StartAsync(a => Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(a, "/",
                () => Microsoft.AspNetCore.Http.Results.Content("<!doctype html><title>A client site</title><p>client</p>", "text/html")));
            _sites.Add(site);
            if (WebSite == "") WebSite = url; else OtherSite = url;
        }
        var port = LocalServer.FreePort();
        BaseUrl = $"http://127.0.0.1:{port}";
        JasperFxEnvironment.AutoStartHost = true;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("ConnectionStrings:Postgres", database);
            builder.UseSetting("Auth:ExposeMagicLinkToken", "true");
            builder.UseSetting("RateLimiting:PermitsPerMinute", "1000000");
            builder.UseSetting("Email:SinkFolder", Path.Combine(Path.GetTempPath(), "opencalendly-browser-mail"));
            builder.UseSetting("App:PublicBaseUrl", BaseUrl);
            builder.UseSetting("Cors:AllowedOrigins", WebSite);
            builder.UseSetting("Calendar:Google:ClientId", OAuthStandIn.ClientId);
            builder.UseSetting("Calendar:Google:ClientSecret", OAuthStandIn.ClientSecret);
            builder.UseSetting("Calendar:Google:AuthorizeUrl", Google.AuthorizeUrl);
            builder.UseSetting("Calendar:Google:TokenUrl", Google.BaseUrl + "/token");
            builder.UseSetting("Calendar:Google:ApiBaseUrl", Google.BaseUrl);
            builder.UseSetting("Calendar:CalDav:AllowPrivateServers", "true");
        });
        _factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, port));
        _factory.StartServer();
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox", "--disable-dev-shm-usage"],
        });
    }

    public async Task<IPage> NewPage(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, TimezoneId = "Europe/Paris" });
        return await context.NewPageAsync();
    }


    public async Task DisposeAsync()
    {
        await Browser.CloseAsync();
        _playwright.Dispose();
        Http.Dispose();
        await _factory.DisposeAsync();
        await Google.DisposeAsync();
        await Radicale.DisposeAsync();
        foreach (var site in _sites) await site.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserApp>
{
    public const string Name = "browser";
}

[Collection(BrowserCollection.Name)]
public sealed class BookingPageTests(BrowserApp app)
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 15_000 };

    [Fact]
    public async Task an_invitee_books_cancels_and_sees_the_slot_offered_again()
    {
        var (organizer, slug, _) = await app.Http.Bookable(questions: [new { id = "company", label = "Company", required = true }]);
        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await page.WaitForSelectorAsync("button.slot", Visible);
        (await page.TextContentAsync("h1")).ShouldBe("Call");

        var slot = page.Locator("button.slot").First;
        var startsAt = await slot.GetAttributeAsync("data-starts-at");
        await slot.ClickAsync();
        await page.FillAsync("#invitee-name", "Pat Lee");
        await page.FillAsync("#invitee-email", "pat@example.com");
        await page.GetByLabel("Company *").FillAsync("Acme");
        await page.ClickAsync("#book-button");
        await page.WaitForSelectorAsync("#confirmation", Visible);
        (await page.GetAttributeAsync("#ics", "download")).ShouldBe("booking.ics");
        (await page.GetAttributeAsync("#ics", "href"))!.ShouldStartWith("blob:");

        var cancel = (await page.GetAttributeAsync("#manage-link", "href"))!;
        await page.GotoAsync(app.BaseUrl + cancel);
        await page.WaitForSelectorAsync("#cancel-form", Visible);
        await page.FillAsync("#reason", "Something came up");
        await page.ClickAsync("#cancel-form button[type=submit]");
        await page.WaitForSelectorAsync("#done", Visible);
        (await page.TextContentAsync("[data-testid=status]")).ShouldBe("canceled");

        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await page.WaitForSelectorAsync($"button.slot[data-starts-at='{startsAt}']", Visible);

        // The page recorded the funnel on the way: two views, one selection, one confirmed booking.
        var funnel = (await app.Http.Get("/v0/analytics/funnel", organizer.Session)).ShouldBe(200).Json["summary"]!;
        funnel["pageViews"]!.GetValue<int>().ShouldBe(2);
        funnel["slotSelections"]!.GetValue<int>().ShouldBe(1);
        funnel["bookingConfirmations"]!.GetValue<int>().ShouldBe(1);
    }

    [Fact]
    public async Task a_taken_slot_shows_the_apis_message_and_the_page_works_at_375px()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var page = await app.NewPage(375, 740);
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await page.WaitForSelectorAsync("button.slot", Visible);
        var slot = page.Locator("button.slot").First;
        var startsAt = (await slot.GetAttributeAsync("data-starts-at"))!;
        await slot.ClickAsync();
        (await page.EvaluateAsync<int>("document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(375);

        // Someone else takes it first.
        (await app.Http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt), idempotencyKey: Api.NewKey())).ShouldBe(200);
        await page.FillAsync("#invitee-name", "Sam");
        await page.FillAsync("#invitee-email", "sam@example.com");
        await page.ClickAsync("#book-button");
        // Said beside the Book button, not at the top of the page; the taken time leaves the list and others are offered.
        await page.WaitForSelectorAsync("#book-error", Visible);
        (await page.TextContentAsync("#book-error"))!.ShouldStartWith("Selected slot is no longer available.");
        await page.WaitForSelectorAsync($"button.slot[data-starts-at='{startsAt}']", new() { State = WaitForSelectorState.Detached, Timeout = 15_000 });
        (await page.Locator("button.slot").CountAsync()).ShouldBeGreaterThan(0);
        (await page.IsHiddenAsync("#error")).ShouldBeTrue();
    }

    [Fact]
    public async Task the_slot_grid_is_walked_with_the_keyboard()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await page.WaitForSelectorAsync("button.slot", Visible);
        // Late in the day only one time may be left today: next month's first day is a whole day of times.
        await page.ClickAsync("#next-month");
        // The page's policy forbids eval, so no WaitForFunction: wait for next month's second time itself.
        var nextMonth = DateTime.UtcNow.AddMonths(1).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        await page.Locator($"button.slot[data-starts-at^='{nextMonth}']").Nth(1).WaitForAsync(new() { Timeout = 15_000 });
        var first = page.Locator("button.slot").First;
        await first.FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        var focused = await page.EvaluateAsync<string>("document.activeElement.dataset.startsAt");
        focused.ShouldBe(await page.Locator("button.slot").Nth(1).GetAttributeAsync("data-starts-at"));
        await page.Keyboard.PressAsync("Enter");
        (await page.IsVisibleAsync("#booking-form")).ShouldBeTrue();
        (await page.EvaluateAsync<string>("document.activeElement.id")).ShouldBe("invitee-name");
    }

    [Fact]
    public async Task an_organizer_signs_in_with_the_exposed_link_and_the_theme_persists_without_a_flash()
    {
        var organizer = await app.Http.SignUp();
        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/auth/sign-in");
        await page.FillAsync("#email", organizer.Email);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.WaitForSelectorAsync("#follow", Visible);
        await page.ClickAsync("#follow");
        await page.ClickAsync("#continue");
        try
        {
            await page.WaitForSelectorAsync("[data-testid=identity] button", new() { State = WaitForSelectorState.Visible, Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            throw new ShouldAssertException($"Not signed in: at {page.Url}, page says '{await page.TextContentAsync("main")}'");
        }
        page.Url.ShouldBe($"{app.BaseUrl}/organizer");
        (await page.TextContentAsync("[data-testid=identity]"))!.ShouldContain($"Signed in as Org {organizer.Username}");

        await page.SelectOptionAsync("#theme-choice", "dark");
        (await page.EvaluateAsync<string>("document.documentElement.dataset.theme")).ShouldBe("dark");
        // Record the theme at the moment <body> first exists, before any module ran: no light flash.
        await page.AddInitScriptAsync("""
            new MutationObserver((_, observer) => {
              if (document.body) { window.__themeAtBody = document.documentElement.dataset.theme; observer.disconnect(); }
            }).observe(document, { childList: true, subtree: true });
            """);
        await page.ReloadAsync();
        (await page.EvaluateAsync<string>("window.__themeAtBody")).ShouldBe("dark");
        (await page.InputValueAsync("#theme-choice")).ShouldBe("dark");

        await page.ClickAsync("[data-testid=identity] button");
        await page.WaitForURLAsync($"{app.BaseUrl}/auth/sign-in");
        (await app.Http.Get("/v0/auth/me", organizer.Session)).ShouldBe(200);   // only the browser's session ended
    }

    [Fact]
    public async Task an_invitee_reschedules_from_the_link_in_their_email()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var first = (await app.Http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?days=7")).Json["slots"]!.AsArray()[0]!["startsAt"]!.GetValue<string>();
        var booked = await app.Http.Book(organizer, slug, first);
        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/booking/actions/{booked.Token("reschedule")}");
        await page.WaitForSelectorAsync("#reschedule", Visible);
        (await page.TextContentAsync("[data-testid=status]")).ShouldBe("confirmed");
        await page.WaitForSelectorAsync("button.slot", Visible);
        var target = page.Locator("button.slot").Nth(3);
        var newStart = (await target.GetAttributeAsync("data-starts-at"))!;
        await target.ClickAsync();
        await page.ClickAsync("#reschedule-button");
        await page.WaitForSelectorAsync("#done", Visible);
        (await page.TextContentAsync("#done"))!.ShouldStartWith("Moved.");

        var old = (await app.Http.Get($"/v0/bookings/actions/{booked.Token("cancel")}")).ShouldBeProblem(410, "link-spent").Json;
        old["rescheduledTo"]!["startsAt"]!.GetValue<string>().ShouldBe(newStart);

        // The new booking's manage page is offered right there, and cancels it.
        await page.ClickAsync("#done a:has-text('Manage the new booking')");
        await page.WaitForSelectorAsync("#cancel-form", Visible);
        await page.ClickAsync("#cancel-form button[type=submit]");
        await page.WaitForSelectorAsync("#done:has-text('canceled')", Visible);
    }

    [Fact]
    public async Task a_team_booking_page_books_a_member()
    {
        var owner = await app.Http.SignUp();
        var member = await app.Http.SignUp();
        var rules = Enumerable.Range(0, 7).Select(d => new { dayOfWeek = d, startMinute = 9 * 60, endMinute = 17 * 60 });
        (await app.Http.Put("/v0/me/availability/rules", new { rules }, member.Session)).ShouldBe(200);
        var teamSlug = Organizers.Unique("team");
        var teamId = (await app.Http.Post("/v0/teams", new { name = "Sales", slug = teamSlug }, owner.Session)).ShouldBe(200).Json["team"]!["id"]!.GetValue<string>();
        await app.Http.Join(teamId, owner, member);
        var eventSlug = Organizers.Unique("demo");
        (await app.Http.Post("/v0/team-event-types", new
        {
            teamId, name = "Sales demo", slug = eventSlug, durationMinutes = 30, mode = "round_robin", locationType = "video", requiredMemberUserIds = new[] { member.Id },
        }, owner.Session)).ShouldBe(200);

        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/team/{teamSlug}/{eventSlug}");
        await page.WaitForSelectorAsync("button.slot", Visible);
        (await page.TextContentAsync("#host")).ShouldBe("with Sales");
        (await page.TextContentAsync("#hosts")).ShouldBe($"You'll meet Org {member.Username}.");
        await page.Locator("button.slot").First.ClickAsync();
        await page.FillAsync("#invitee-name", "Pat Lee");
        await page.FillAsync("#invitee-email", "pat@example.com");
        await page.ClickAsync("#book-button");
        await page.WaitForSelectorAsync("#confirmation", Visible);
        (await page.TextContentAsync("#confirmed-with")).ShouldBe($"With: Org {member.Username}");

        // Its reschedule link offers the team's times, not the owner's (the owner has no hours at all).
        await page.GotoAsync(app.BaseUrl + await page.GetAttributeAsync("#manage-link", "href"));
        await page.WaitForSelectorAsync("#reschedule", Visible);
        (await page.TextContentAsync("#what")).ShouldBe("Sales demo with Sales");
        await page.WaitForSelectorAsync("button.slot", Visible);
        await page.Locator("button.slot").Nth(2).ClickAsync();
        await page.ClickAsync("#reschedule-button");
        await page.WaitForSelectorAsync("#done", Visible);
        (await page.TextContentAsync("#done"))!.ShouldStartWith("Moved.");
    }
}

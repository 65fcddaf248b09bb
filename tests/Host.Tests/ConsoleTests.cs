using Microsoft.Playwright;

namespace OpenCalendly.Host.Tests;

/// <summary>The organizer console in Chromium: each panel does one real thing, and an API refusal reads as a sentence.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleTests(BrowserApp app)
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 15_000 };

    private async Task<IPage> SignedIn(Organizer organizer)
    {
        var page = await app.NewPage();
        await page.AddInitScriptAsync($"localStorage.setItem('oc-session', '{organizer.Session}');");
        await page.GotoAsync($"{app.BaseUrl}/organizer");
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        return page;
    }

    [Fact]
    public async Task an_organizer_makes_an_api_key_copies_it_once_an_integrator_uses_it_and_the_organizer_revokes_it()
    {
        var organizer = await app.Http.SignUp();
        var page = await SignedIn(organizer);
        await page.WaitForSelectorAsync("#api-keys li:has-text('No API keys yet.')", Visible);

        // No scope: the form says so in place.
        await page.FillAsync("#api-key-form [name=name]", "Reporting");
        await page.UncheckAsync("#api-key-form [value='bookings:read']");
        await page.ClickAsync("#api-key-form button[type=submit]");
        (await (await page.WaitForSelectorAsync("#api-keys-panel .error", Visible))!.TextContentAsync())!.ShouldContain("scope");

        await page.CheckAsync("#api-key-form [value='bookings:read']");
        await page.CheckAsync("#api-key-form [value='analytics:read']");
        await page.ClickAsync("#api-key-form button[type=submit]");
        await page.WaitForSelectorAsync("#new-api-key", Visible);
        var token = await page.InputValueAsync("#new-api-key-token");
        token.ShouldStartWith("oc_live_");
        await page.WaitForSelectorAsync($"#api-keys li:has-text('Reporting · {token[..14]}…')", Visible);
        (await page.TextContentAsync("#api-keys") ?? "").ShouldNotContain(token);

        // The integrator's program reads bookings with it, and cannot reach what it was not given.
        (await app.Http.Get("/v0/bookings", token)).ShouldBe(200);
        (await app.Http.Get("/v0/webhooks", token)).ShouldBeProblem(403, "insufficient-scope");

        // Shown once: after a reload only its prefix is left, with its last use.
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        (await page.IsHiddenAsync("#new-api-key")).ShouldBeTrue();
        await page.WaitForSelectorAsync("#api-keys li:has-text('last used')", Visible);

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.ClickAsync("#api-keys button:text-is('Revoke')");
        await page.WaitForSelectorAsync("#api-keys li:has-text('No API keys yet.')", Visible);
        (await app.Http.Get("/v0/bookings", token)).ShouldBeProblem(401, "unauthorized");
    }

    [Fact]
    public async Task an_organizer_downloads_an_export_of_their_data_and_then_deletes_the_account()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        (await app.Http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2031-06-03T10:00:00Z", "lee@example.com"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        var page = await SignedIn(organizer);

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#export-data"));
        download.SuggestedFilename.ShouldStartWith($"opencalendly-{organizer.Username}-");
        var file = await download.PathAsync();
        var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        json["profile"]!["username"]!.GetValue<string>().ShouldBe(organizer.Username);
        json["bookings"]!.AsArray().ShouldHaveSingleItem()!["inviteeEmail"]!.GetValue<string>().ShouldBe("lee@example.com");
        await page.WaitForSelectorAsync("#export-status:has-text('Exported 1 booking(s)')", Visible);

        // Deleting asks for the username; a wrong one deletes nothing.
        var answer = "not-my-name";
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(answer);
        await page.ClickAsync("#delete-account");
        await page.WaitForSelectorAsync("#data-panel .error:has-text('did not match')", Visible);
        (await app.Http.Get("/v0/auth/me", organizer.Session)).ShouldBe(200);
        answer = organizer.Username;
        await page.ClickAsync("#delete-account");
        await page.WaitForSelectorAsync("#signed-out:has-text('Your account was deleted')", Visible);
        (await app.Http.Get("/v0/auth/me", organizer.Session)).ShouldBe(401);
        (await app.Http.Get($"/v0/users/{organizer.Username}/event-types/{slug}")).ShouldBeProblem(404, "not-found");
    }

    [Fact]
    public async Task the_console_creates_event_types_sets_hours_and_overrides_in_the_organizers_zone()
    {
        var organizer = await app.Http.SignUp("America/New_York");
        var page = await SignedIn(organizer);
        (await page.TextContentAsync("#hours-zone")).ShouldBe("(America/New_York)");

        var slug = Organizers.Unique("intro");
        await page.FillAsync("#event-type-form [name=name]", "Intro");
        await page.FillAsync("#event-type-form [name=slug]", slug);
        await page.ClickAsync("#event-type-form button[type=submit]");
        await page.WaitForSelectorAsync($"#event-types a[href='/{organizer.Username}/{slug}']", Visible);
        await page.ClickAsync("#event-types button:text-is('Edit')");
        await page.FillAsync(".edit-event-type [name=name]", "Intro call");
        await page.FillAsync(".edit-event-type [name=durationMinutes]", "45");
        await page.ClickAsync(".edit-event-type button[type=submit]");
        await page.WaitForSelectorAsync("#event-types a:has-text('Intro call (45 min)')", Visible);
        await page.ClickAsync("#event-types button:has-text('Deactivate')");
        await page.WaitForSelectorAsync("#event-types button:text-is('Activate')", Visible);
        var listed = (await app.Http.Get("/v0/event-types", organizer.Session)).Json["eventTypes"]!.AsArray().Single()!;
        listed["isActive"]!.GetValue<bool>().ShouldBeFalse();

        // The default week (Monday to Friday, 09:00–17:00) is in the editor: Friday goes, Saturday morning comes.
        (await page.Locator("#rules .rule").CountAsync()).ShouldBe(5);
        await page.Locator("#rules .rule").Nth(4).Locator("button:text-is('Remove')").ClickAsync();
        await page.ClickAsync("#add-rule");
        await page.Locator("#rules .rule select").Last.SelectOptionAsync("6");
        await page.Locator("#rules .rule").Last.Locator("input").Last.FillAsync("12:00");
        await page.ClickAsync("#save-rules");
        await page.WaitForSelectorAsync("#save-rules:has-text('Saved')", Visible);
        var rules = (await app.Http.Get("/v0/me/availability", organizer.Session)).Json["rules"]!.AsArray();
        rules.Select(r => r!["dayOfWeek"]!.GetValue<int>()).Order().ShouldBe([1, 2, 3, 4, 6]);
        var saturday = rules.Single(r => r!["dayOfWeek"]!.GetValue<int>() == 6)!;
        (saturday["startMinute"]!.GetValue<int>(), saturday["endMinute"]!.GetValue<int>()).ShouldBe((540, 720));

        await page.FillAsync("#override-form [name=date]", "2031-07-01");
        await page.FillAsync("#override-form [name=start]", "09:00");
        await page.FillAsync("#override-form [name=end]", "12:00");
        await page.FillAsync("#override-form [name=reason]", "Dentist");
        await page.ClickAsync("#override-form button[type=submit]");
        await page.WaitForSelectorAsync("#overrides li", Visible);
        var overrideSaved = (await app.Http.Get("/v0/me/availability", organizer.Session)).Json["overrides"]!.AsArray().Single()!;
        overrideSaved["startAt"]!.GetValue<string>().ShouldBe("2031-07-01T13:00:00.000Z");   // 09:00 in New York, summer time
        overrideSaved["endAt"]!.GetValue<string>().ShouldBe("2031-07-01T16:00:00.000Z");
        overrideSaved["isAvailable"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    public async Task an_organizer_connects_an_icloud_like_calendar_with_an_app_password_chooses_its_calendars_and_a_booking_lands_there()
    {
        var organizer = await app.Http.SignUp();
        var (user, password) = await app.Radicale.NewUserAsync();
        var family = await app.Radicale.MakeCalendarAsync("Family", user: user);
        var meetings = await app.Radicale.MakeCalendarAsync("Meetings", user: user);
        var page = await SignedIn(organizer);
        await page.WaitForSelectorAsync("#caldav-form", Visible);

        // A mistyped password: the server's refusal, in the panel.
        await page.FillAsync("#caldav-form [name=serverUrl]", app.Radicale.BaseUrl.AbsoluteUri);
        await page.FillAsync("#caldav-form [name=username]", user);
        await page.FillAsync("#caldav-form [name=password]", "not-it");
        await page.ClickAsync("#caldav-form button[type=submit]");
        await page.WaitForSelectorAsync("#calendars-panel .error:has-text('app-specific password')", Visible);

        await page.FillAsync("#caldav-form [name=password]", password);
        await page.ClickAsync("#caldav-form button[type=submit]");
        await page.WaitForSelectorAsync($"#calendars li:has-text('CalDAV: {user} at 127.0.0.1')", Visible);
        (await page.IsHiddenAsync("#caldav-form")).ShouldBeTrue();
        (await page.Locator("#caldav-calendars input[type=checkbox]:checked").CountAsync()).ShouldBe(2);

        // Family does not block time; bookings go to Meetings.
        await page.Locator("#caldav-calendars li", new() { HasText = "Family" }).Locator("input[type=checkbox]").UncheckAsync();
        await page.Locator("#caldav-calendars li", new() { HasText = "Meetings" }).Locator("input[type=radio]").CheckAsync();
        await page.ClickAsync("#caldav-choice button[type=submit]");
        await page.WaitForSelectorAsync("#calendars li:has-text('CalDAV'):has-text('last synced'):not(:has-text('never'))", Visible);
        var row = (await app.Http.Get("/v0/calendar/sync/status", organizer.Session)).Json["providers"]!.AsArray().Single(p => p!["provider"]!.GetValue<string>() == "caldav")!;
        var calendars = row["calendars"]!.AsArray().ToDictionary(c => c!["url"]!.GetValue<string>());
        calendars[family.AbsoluteUri]!["busy"]!.GetValue<bool>().ShouldBeFalse();
        calendars[meetings.AbsoluteUri]!["receivesBookings"]!.GetValue<bool>().ShouldBeTrue();

        // An invitee books; the event is in Meetings.
        var rules = Enumerable.Range(0, 7).Select(day => new { dayOfWeek = day, startMinute = 540, endMinute = 1020 });
        (await app.Http.Put("/v0/me/availability/rules", new { rules }, organizer.Session)).ShouldBe(200);
        var slug = Organizers.Unique("call");
        (await app.Http.Post("/v0/event-types", new { name = "Call", slug, durationMinutes = 30, locationType = "video" }, organizer.Session)).ShouldBe(200);
        (await app.Http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-04-02T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await app.Radicale.ObjectsAsync(meetings, user)).Count == 0)
        {
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException("The booking never reached the Meetings calendar.");
            await Task.Delay(200);
        }
        (await app.Radicale.ObjectsAsync(family, user)).ShouldBeEmpty();
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#writeback:has-text('1 written')", Visible);

        await page.ClickAsync("#calendars li:has-text('CalDAV') button:text-is('Disconnect')");
        await page.WaitForSelectorAsync("#calendars li:has-text('CalDAV: not connected')", Visible);
        (await page.IsVisibleAsync("#caldav-form")).ShouldBeTrue();
    }

    [Fact]
    public async Task teams_webhooks_calendars_and_analytics_panels_work_and_show_api_errors_in_place()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        await app.Http.Record(organizer, slug, "page_view", 4);
        await app.Http.Book(organizer, slug, "2031-03-03T10:00:00Z");
        var page = await SignedIn(organizer);

        var teamSlug = Organizers.Unique("team");
        await page.FillAsync("#team-form [name=name]", "Sales");
        await page.FillAsync("#team-form [name=slug]", teamSlug);
        await page.ClickAsync("#team-form button[type=submit]");
        await page.WaitForSelectorAsync($"#teams li:has-text('/{teamSlug}')", Visible);

        // The API refuses plain http targets: its sentence appears in the webhooks panel.
        await page.FillAsync("#webhook-form [name=url]", "http://example.com/hook");
        await page.FillAsync("#webhook-form [name=secret]", "a-long-enough-secret");
        await page.ClickAsync("#webhook-form button[type=submit]");
        await page.WaitForSelectorAsync("#webhooks-panel .error", Visible);
        (await page.TextContentAsync("#webhooks-panel .error"))!.ShouldContain("url");
        await page.FillAsync("#webhook-form [name=url]", "https://93.184.215.14/hook");
        await page.ClickAsync("#webhook-form button[type=submit]");
        await page.WaitForSelectorAsync("#webhooks li", Visible);
        (await page.IsHiddenAsync("#webhooks-panel .error")).ShouldBeTrue();
        await page.ClickAsync("#webhooks button:has-text('Deliveries')");
        await page.WaitForSelectorAsync("#deliveries:has-text('No deliveries yet.')", Visible);

        (await page.TextContentAsync("#calendars"))!.ShouldContain("Microsoft: not configured on this server");

        // Connect Google: to the provider's consent page, back through the callback page, and connected.
        var account = app.Google.ConsentingAccount = app.Google.NewAccount();
        await page.ClickAsync("#calendars button:text-is('Connect')");
        await page.WaitForURLAsync($"{app.BaseUrl}/organizer#calendars-panel", new() { Timeout = 15_000 });
        await page.WaitForSelectorAsync($"#calendars li:has-text('Google: {account.Email}')", Visible);
        await page.ClickAsync("#calendars button:text-is('Sync now')");
        await page.WaitForSelectorAsync("#calendars li:has-text('Google'):has-text('last synced'):not(:has-text('never'))", Visible);
        (await page.TextContentAsync("#writeback"))!.ShouldStartWith("Writeback:");

        (await page.TextContentAsync("[data-metric='Page views']")).ShouldBe("4");
        (await page.TextContentAsync("[data-metric='Bookings']")).ShouldBe("1");
        (await page.TextContentAsync("[data-metric='Conversion']")).ShouldBe("25.0%");
        // The date boxes show the range the chart covers (the last 30 days), every day has its bars, and the axes are labelled.
        var (from, to) = (await page.InputValueAsync("#analytics-form [name=startDate]"), await page.InputValueAsync("#analytics-form [name=endDate]"));
        to.ShouldBe(DateTime.UtcNow.ToString("yyyy-MM-dd"));
        var days = (int)(DateTime.Parse(to) - DateTime.Parse(from)).TotalDays + 1;
        (await page.Locator("#funnel-chart rect.bar-booked").CountAsync()).ShouldBe(days);
        (await page.Locator($"#funnel-chart text[data-date='{from}']").CountAsync()).ShouldBe(1);
        (await page.Locator($"#funnel-chart text[data-date='{to}']").CountAsync()).ShouldBe(1);
        (await page.Locator("#funnel-chart rect.bar-views title:text-is('" + to + ": 4 page views')").CountAsync()).ShouldBe(1);
        await page.FillAsync("#analytics-form [name=startDate]", "2020-01-01");
        await page.FillAsync("#analytics-form [name=endDate]", "2021-01-01");
        await page.ClickAsync("#analytics-form button[type=submit]");
        await page.WaitForSelectorAsync("#analytics-panel .error", Visible);
        (await page.TextContentAsync("#analytics-panel .error"))!.ShouldContain("at most 90");
    }

    [Fact]
    public async Task from_sign_in_to_a_canceled_booking_whose_slot_comes_back_all_in_the_browser()
    {
        var username = Organizers.Unique("new");
        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/auth/sign-in");
        await page.FillAsync("#email", $"{username}@example.com");
        await page.FillAsync("#username", username);
        await page.FillAsync("#display-name", "Nora New");
        await page.SelectOptionAsync("#zone", "UTC");
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.WaitForSelectorAsync("#follow", Visible);
        await page.ClickAsync("#follow");
        await page.ClickAsync("#continue");
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        page.Url.ShouldBe($"{app.BaseUrl}/organizer");

        await page.FillAsync("#event-type-form [name=name]", "Coffee chat");
        await page.FillAsync("#event-type-form [name=slug]", "coffee");
        await page.ClickAsync("#event-type-form button[type=submit]");
        await page.WaitForSelectorAsync($"#event-types a[href='/{username}/coffee']", Visible);
        for (var day = 0; day < 7; day++)
        {
            await page.ClickAsync("#add-rule");
            await page.Locator("#rules .rule select").Last.SelectOptionAsync(day.ToString());
        }
        await page.ClickAsync("#save-rules");
        await page.WaitForSelectorAsync("#save-rules:has-text('Saved')", Visible);

        await page.ClickAsync($"#event-types a[href='/{username}/coffee']");
        await page.WaitForSelectorAsync("button.slot", Visible);
        var slot = page.Locator("button.slot").First;
        var startsAt = await slot.GetAttributeAsync("data-starts-at");
        await slot.ClickAsync();
        await page.FillAsync("#invitee-name", "Pat Lee");
        await page.FillAsync("#invitee-email", "pat@example.com");
        await page.ClickAsync("#book-button");
        await page.WaitForSelectorAsync("#confirmation", Visible);
        (await app.Http.Get($"/v0/users/{username}/event-types/coffee/availability?days=2")).Json["slots"]!.AsArray()
            .ShouldNotContain(s => s!["startsAt"]!.GetValue<string>() == startsAt);

        await page.ClickAsync("#manage-link");
        await page.WaitForSelectorAsync("#cancel-form", Visible);
        await page.ClickAsync("#cancel-form button[type=submit]");
        await page.WaitForSelectorAsync("#done", Visible);
        await page.GotoAsync($"{app.BaseUrl}/{username}/coffee");
        await page.WaitForSelectorAsync($"button.slot[data-starts-at='{startsAt}']", Visible);
    }

    [Fact]
    public async Task signed_out_the_console_says_how_to_sign_in()
    {
        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/organizer");
        await page.WaitForSelectorAsync("#signed-out", Visible);
        (await page.IsHiddenAsync("#panels")).ShouldBeTrue();
    }

    [Fact]
    public async Task an_organizer_makes_a_class_of_three_seats_and_invitees_see_the_seats_left_as_they_book()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var page = await SignedIn(organizer);
        await page.ClickAsync("#event-types button:text-is('Edit')");
        await page.FillAsync(".edit-event-type [name=seatsPerSlot]", "3");
        await page.CheckAsync(".edit-event-type [name=showAttendees]");
        await page.ClickAsync(".edit-event-type button[type=submit]");
        await page.WaitForSelectorAsync("#event-types a:has-text('3 seats')", Visible);

        // Two invitees take the first time one after the other; the page counts the seats down.
        var invitee = await SeatPages.StudentsTakeTheFirstTime(app, $"/{organizer.Username}/{slug}", "3 seats left", "2 seats left");
        (await SeatPages.FirstTime(app, $"/{organizer.Username}/{slug}")).ShouldEndWith("· 1 seat left");
        var booked = (await app.Http.Get("/v0/me/bookings?status=confirmed", organizer.Session)).Json["bookings"]!.AsArray();
        booked.Count.ShouldBe(2);
        booked.Select(b => b!["startsAt"]!.GetValue<string>()).Distinct().Count().ShouldBe(1, "both students sit in one class");

        // The second student opens their booking: their seat, and (as the organizer shows attendees) who else comes.
        await invitee.ClickAsync("#manage-link");
        await invitee.WaitForSelectorAsync("#seat", Visible);
        (await invitee.TextContentAsync("#seat")).ShouldBe("Seat 2 of 3 (2 taken)");
        (await invitee.TextContentAsync("#attendees")).ShouldBe("Student 0");
    }
}

/// <summary>
/// Screenshots of the main pages. They land in a temporary folder, or in <c>OPENCALENDLY_SCREENSHOTS</c> when set
/// (<c>docs/screenshots</c> is refreshed that way for the README).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ScreenshotTests(BrowserApp app)
{
    [Fact]
    public async Task the_main_pages_render_and_are_captured()
    {
        var folder = Environment.GetEnvironmentVariable("OPENCALENDLY_SCREENSHOTS") is { Length: > 0 } configured
            ? configured : Path.Combine(Path.GetTempPath(), "opencalendly-screenshots-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        var (organizer, slug, _) = await app.Http.Bookable(questions: [new { id = "company", label = "Company", required = true }]);
        await app.Http.Record(organizer, slug, "page_view", 12);
        await app.Http.Record(organizer, slug, "slot_selection", 5);
        var booked = (await app.Http.Post("/v0/bookings", Bookings.Request(organizer, slug, DateTime.UtcNow.Date.AddDays(3).AddHours(10).ToString("yyyy-MM-ddTHH:mm:ssZ"),
            answers: new { company = "Acme" }), idempotencyKey: Api.NewKey())).ShouldBe(200).Json;

        var page = await app.NewPage(1100, 900);
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await page.WaitForSelectorAsync("button.slot", new() { State = WaitForSelectorState.Visible });
        // The first day shown may be today, with only its last few slots left: take the first slot offered.
        await page.Locator("button.slot").First.ClickAsync();
        await Shoot(page, folder, "booking-page.png");
        await page.FillAsync("#invitee-name", "Pat Lee");
        await page.FillAsync("#invitee-email", "pat@example.com");
        await page.GetByLabel("Company *").FillAsync("Acme");
        await page.ClickAsync("#book-button");
        await page.WaitForSelectorAsync("#confirmation", new() { State = WaitForSelectorState.Visible });
        await Shoot(page, folder, "confirmation.png");

        await page.GotoAsync($"{app.BaseUrl}/bookings/actions/{booked.Token("manage")}");
        await page.WaitForSelectorAsync("button.slot", new() { State = WaitForSelectorState.Visible });
        await Shoot(page, folder, "manage-page.png");

        await page.AddInitScriptAsync($"localStorage.setItem('oc-session', '{organizer.Session}'); localStorage.setItem('oc-theme', 'dark');");
        await page.GotoAsync($"{app.BaseUrl}/organizer");
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached });
        await Shoot(page, folder, "console-dark.png");
        foreach (var section in new[] { "bookings", "analytics", "teams" })
        {
            await page.GotoAsync($"{app.BaseUrl}/organizer#{section}-panel");
            await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached });
            await page.Locator($"#{section}-panel").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(folder, $"console-{section}.png") });
        }

        var phone = await app.NewPage(390, 844);
        await phone.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await phone.WaitForSelectorAsync("button.slot", new() { State = WaitForSelectorState.Visible });
        await Shoot(phone, folder, "booking-page-375px.png", fullPage: false);
        await phone.Locator("button.slot").Nth(2).ClickAsync();
        await phone.FillAsync("#invitee-name", "Sam Lee");
        await phone.FillAsync("#invitee-email", "sam@example.com");
        await phone.GetByLabel("Company *").FillAsync("Beta");
        await phone.ClickAsync("#book-button");
        await phone.WaitForSelectorAsync("#confirmation", new() { State = WaitForSelectorState.Visible });
        await Shoot(phone, folder, "confirmation-390px.png", fullPage: false);
        await phone.GotoAsync($"{app.BaseUrl}/bookings/actions/{booked.Token("manage")}");
        await phone.WaitForSelectorAsync("button.slot", new() { State = WaitForSelectorState.Visible });
        await Shoot(phone, folder, "manage-page-390px.png", fullPage: false);
        await phone.AddInitScriptAsync($"localStorage.setItem('oc-session', '{organizer.Session}');");
        await phone.GotoAsync($"{app.BaseUrl}/organizer#bookings-panel");
        await phone.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached });
        await Shoot(phone, folder, "console-390px.png", fullPage: false);
    }

    private static async Task Shoot(IPage page, string folder, string name, bool fullPage = true)
    {
        var path = Path.Combine(folder, name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
        new FileInfo(path).Length.ShouldBeGreaterThan(5_000);
    }
}

[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyTests(BrowserApp app)
{
    private async Task<IPage> Watched()
    {
        var page = await app.NewPage();
        await page.AddInitScriptAsync(
            "window.__violations = []; document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));");
        return page;
    }

    [Theory]
    [InlineData("/docs/")]
    [InlineData("/auth/sign-in")]
    [InlineData("/organizer")]
    public async Task pages_load_without_a_policy_violation(string path)
    {
        var page = await Watched();
        await page.GotoAsync(app.BaseUrl + path, new() { WaitUntil = WaitUntilState.NetworkIdle });
        // A font is fetched only when text first renders in it, which can come after the network went quiet:
        // load every declared font now, so one from a source the policy refuses is seen on every run.
        await page.EvaluateAsync(
            "Promise.allSettled([...document.fonts].map(f => f.load())).then(() => new Promise(r => setTimeout(() => r(true), 50)))");
        (await page.EvaluateAsync<string[]>("window.__violations")).ShouldBeEmpty();
    }

    [Fact]
    public async Task an_injected_inline_script_is_refused_and_seen()
    {
        var page = await Watched();
        await page.GotoAsync(app.BaseUrl + "/auth/sign-in", new() { WaitUntil = WaitUntilState.NetworkIdle });
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.__ran = true'; document.head.append(s); }");
        await page.WaitForFunctionAsync("window.__violations.length > 0");
        (await page.EvaluateAsync<bool>("window.__ran === true")).ShouldBeFalse();
    }
}

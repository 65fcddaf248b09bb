using Microsoft.Playwright;

namespace OpenCalendly.Host.Tests;

/// <summary>Teams as two people use them in their browsers: one invites by username, the other accepts, an invitee books.</summary>
[Collection(BrowserCollection.Name)]
public sealed class TeamJourneyTests(BrowserApp app)
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 15_000 };

    /// <summary>Signs in the way a person does: the sign-in page, the emailed link (exposed here), "Continue as …".</summary>
    private async Task<IPage> SignedIn(Organizer organizer, int width = 1280, int height = 900)
    {
        var page = await app.NewPage(width, height);
        await page.GotoAsync($"{app.BaseUrl}/auth/sign-in");
        await page.FillAsync("#email", organizer.Email);
        await page.ClickAsync("#sign-in-form button[type=submit]");
        await page.WaitForSelectorAsync("#follow", Visible);
        await page.ClickAsync("#follow");
        await page.ClickAsync("#continue");
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        return page;
    }

    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task an_owner_invites_a_member_by_username_who_accepts_and_an_invitee_books_the_team(int width, int height)
    {
        var owner = await app.Http.SignUp();
        await app.Http.WithoutHours(owner);   // the owner only runs the team: the member's hours are the team's
        var member = await app.Http.SignUp();
        var rules = Enumerable.Range(0, 7).Select(d => new { dayOfWeek = d, startMinute = 9 * 60, endMinute = 17 * 60 });
        (await app.Http.Put("/v0/me/availability/rules", new { rules }, member.Session)).ShouldBe(200);
        var teamSlug = Organizers.Unique("team");

        // The owner creates the team, a 45-minute round robin, and invites the member by username.
        var console = await SignedIn(owner, width, height);
        await console.FillAsync("#team-form [name=name]", "Sales");
        await console.FillAsync("#team-form [name=slug]", teamSlug);
        await console.ClickAsync("#team-form button[type=submit]");
        await console.WaitForSelectorAsync("#teams form.invite", Visible);
        await console.FillAsync("#teams form.invite [name=who]", member.Username);
        await console.ClickAsync("#teams form.invite button[type=submit]");
        await console.WaitForSelectorAsync($"#teams li[data-member='{member.Username}']:has-text('invited, not yet accepted')", Visible);
        await console.FillAsync("#teams [name=name]", "Sales demo");
        await console.FillAsync("#teams [name=slug]", "demo");
        await console.FillAsync("#teams [name=duration]", "45");
        await console.ClickAsync("#teams button:has-text('Create team event type')");
        await console.WaitForSelectorAsync("#teams h3:has-text('1 event type')", Visible);

        // Until the member says yes, the team page offers nobody's time.
        var invitee = await app.NewPage(width, height);
        await invitee.GotoAsync($"{app.BaseUrl}/team/{teamSlug}/demo");
        await invitee.WaitForSelectorAsync("#title:has-text('Sales demo')", Visible);
        (await invitee.Locator("button.slot").CountAsync()).ShouldBe(0);

        // The member sees the invitation in their own console and accepts it.
        var memberConsole = await SignedIn(member, width, height);
        await memberConsole.WaitForSelectorAsync("#invitations li:has-text('invited you to Sales')", Visible);
        await memberConsole.ClickAsync("#invitations button:has-text('Accept')");
        await memberConsole.WaitForSelectorAsync("#invitations-block", new() { State = WaitForSelectorState.Hidden });

        await console.ReloadAsync();
        await console.WaitForSelectorAsync($"#teams li[data-member='{member.Username}']", Visible);
        (await console.TextContentAsync($"#teams li[data-member='{member.Username}']"))!.ShouldNotContain("invited");

        // Now an invitee books the team and meets the member.
        await invitee.ReloadAsync();
        await invitee.WaitForSelectorAsync("button.slot", Visible);
        await invitee.Locator("button.slot").First.ClickAsync();
        await invitee.FillAsync("#invitee-name", "Pat Lee");
        await invitee.FillAsync("#invitee-email", "pat@example.com");
        await invitee.ClickAsync("#book-button");
        await invitee.WaitForSelectorAsync("#confirmation", Visible);
        var booked = (await app.Http.Get("/v0/me/bookings?status=confirmed", member.Session)).ShouldBe(200).Json["bookings"]!.AsArray();
        booked.ShouldHaveSingleItem();
    }

    [Fact]
    public async Task an_owner_makes_a_collective_workshop_with_seats_and_invitees_see_the_seats_left()
    {
        var (owner, teamId, teamSlug) = await app.Http.Team();   // the owner keeps the default hours: a collective meets them too
        await app.Http.Member(teamId, owner);
        var console = await SignedIn(owner);
        await console.WaitForSelectorAsync("#teams form.invite", Visible);
        await console.FillAsync("#teams [name=name]", "Workshop");
        await console.FillAsync("#teams [name=slug]", "workshop");
        await console.FillAsync("#teams [name=duration]", "60");
        await console.SelectOptionAsync("#teams [name=mode]", "collective");
        await console.FillAsync("#teams [name=seats]", "2");
        await console.ClickAsync("#teams button:has-text('Create team event type')");
        await console.WaitForSelectorAsync("#teams li[data-team-event-type=workshop]:has-text('2 seats')", Visible);

        await SeatPages.StudentsTakeTheFirstTime(app, $"/team/{teamSlug}/workshop", "2 seats left", "1 seat left");

        // The class grows by a seat: the full time is offered again with one left.
        await console.FillAsync("#teams li[data-team-event-type=workshop] [name=seatsPerSlot]", "3");
        await console.ClickAsync("#teams li[data-team-event-type=workshop] button:has-text('Save seats')");
        await console.WaitForSelectorAsync("#teams li[data-team-event-type=workshop]:has-text('3 seats')", Visible);
        (await SeatPages.FirstTime(app, $"/team/{teamSlug}/workshop")).ShouldEndWith("· 1 seat left");
    }

    [Fact]
    public async Task an_owner_weighs_the_round_robin_in_the_console_and_the_next_booking_follows_it()
    {
        var (owner, teamId, teamSlug) = await app.Http.Team();
        await app.Http.WithoutHours(owner);
        var first = await app.Http.Member(teamId, owner);
        var second = await app.Http.Member(teamId, owner);
        var slug = Organizers.Unique("rr");
        (await app.Http.Post("/v0/team-event-types", new
        {
            teamId, name = "Intro", slug, durationMinutes = 30, mode = "round_robin", locationType = "video",
            requiredMemberUserIds = new[] { first.Id, second.Id },
        }, owner.Session)).ShouldBe(200);

        // The owner gives the second member the first call at every time they are free, and the first a weight of 300.
        var console = await SignedIn(owner);
        var editor = $"#teams li[data-team-event-type='{slug}'] form.round-robin";
        await console.WaitForSelectorAsync(editor, Visible);
        await console.SelectOptionAsync($"{editor} [name=strategy]", "available");
        await console.FillAsync($"{editor} .weighting[data-user-id='{first.Id}'] [name=weight]", "300");
        await console.SelectOptionAsync($"{editor} .weighting[data-user-id='{second.Id}'] [name=priority]", "4");
        await console.ClickAsync($"{editor} button[type=submit]");
        await console.WaitForSelectorAsync($"{editor} button:has-text('Saved')", Visible);

        var saved = (await app.Http.Get($"/v0/teams/{teamId}/event-types", owner.Session)).ShouldBe(200).Json["eventTypes"]![0]!["roundRobin"]!;
        saved["strategy"]!.GetValue<string>().ShouldBe("available");
        var weightings = saved["members"]!.AsArray().ToDictionary(m => m!["userId"]!.GetValue<string>(), m => (m!["weight"]!.GetValue<int>(), m["priority"]!.GetValue<int>()));
        weightings[first.Id].ShouldBe((300, 2));
        weightings[second.Id].ShouldBe((100, 4));

        // An invitee books on the team page: the slot goes to the member now first in line.
        var invitee = await app.NewPage();
        await invitee.GotoAsync($"{app.BaseUrl}/team/{teamSlug}/{slug}");
        await invitee.WaitForSelectorAsync("button.slot", Visible);
        await invitee.Locator("button.slot").First.ClickAsync();
        await invitee.FillAsync("#invitee-name", "Pat Lee");
        await invitee.FillAsync("#invitee-email", "pat@example.com");
        await invitee.ClickAsync("#book-button");
        await invitee.WaitForSelectorAsync("#confirmation", Visible);
        (await app.Http.Get("/v0/me/bookings?status=confirmed", second.Session)).ShouldBe(200).Json["bookings"]!.AsArray().ShouldHaveSingleItem();
        (await app.Http.Get("/v0/me/bookings?status=confirmed", first.Session)).ShouldBe(200).Json["bookings"]!.AsArray().ShouldBeEmpty();
    }

    [Fact]
    public async Task a_booking_page_that_cannot_reach_the_api_says_so_instead_of_not_found()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var page = await app.NewPage();
        await page.RouteAsync("**/v0/**", route => route.AbortAsync());
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await page.WaitForSelectorAsync("#title:has-text(\"can't be loaded\")", Visible);
        (await page.TextContentAsync("main"))!.ShouldContain("could not be reached");
    }
}

/// <summary>The month view of the booking page, as an invitee uses it.</summary>
[Collection(BrowserCollection.Name)]
public sealed class MonthCalendarTests(BrowserApp app)
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 15_000 };

    [Fact]
    public async Task the_first_free_day_is_preselected_days_are_walked_with_arrows_and_the_confirmation_says_when_and_where()
    {
        // Only Mondays and Wednesdays: most days of the month are closed.
        var (organizer, slug, _) = await app.Http.Bookable();
        var rules = new[] { new { dayOfWeek = 1, startMinute = 540, endMinute = 720 }, new { dayOfWeek = 3, startMinute = 540, endMinute = 720 } };
        (await app.Http.Put("/v0/me/availability/rules", new { rules }, organizer.Session)).ShouldBe(200);
        var page = await app.NewPage(390, 844);
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}?timezone=UTC");
        await page.WaitForSelectorAsync("button.slot", Visible);

        (await page.TextContentAsync("#month-label"))!.ShouldNotBeNullOrWhiteSpace();
        var selected = page.Locator("#calendar button[aria-pressed=true]");
        (await selected.CountAsync()).ShouldBe(1);
        var firstDay = (await selected.GetAttributeAsync("data-day"))!;
        var weekday = DateTime.Parse(firstDay).DayOfWeek;
        weekday.ShouldBeOneOf(DayOfWeek.Monday, DayOfWeek.Wednesday);
        (await page.Locator("#calendar button.day:not([disabled])").CountAsync()).ShouldBeLessThanOrEqualTo(10);

        // Arrow right goes to the next open day and shows its times.
        await selected.FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await page.WaitForFunctionAsync($"document.activeElement?.dataset?.day && document.activeElement.dataset.day > '{firstDay}'");
        var secondDay = await page.EvaluateAsync<string>("document.activeElement.dataset.day");
        (await page.GetAttributeAsync($"#calendar button[data-day='{secondDay}']", "aria-pressed")).ShouldBe("true");
        (await page.Locator("button.slot").First.GetAttributeAsync("data-starts-at"))!.ShouldStartWith(secondDay);

        await page.Locator("button.slot").First.ClickAsync();
        await page.FillAsync("#invitee-name", "Pat Lee");
        await page.FillAsync("#invitee-email", "pat@example.com");
        await page.ClickAsync("#book-button");
        await page.WaitForSelectorAsync("#confirmation", Visible);
        (await page.TextContentAsync("#confirmed-when"))!.ShouldContain("–");
        (await page.TextContentAsync("#confirmed-where"))!.ShouldContain("Video call");
        (await page.GetAttributeAsync("#google-link", "href"))!.ShouldStartWith("https://calendar.google.com/calendar/render?action=TEMPLATE");
        (await page.GetAttributeAsync("#outlook-link", "href"))!.ShouldStartWith("https://outlook.live.com/calendar/0/deeplink/compose?");
        (await page.EvaluateAsync<int>("document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(390);
    }

    [Fact]
    public async Task the_time_zone_picker_is_searched_and_shows_offsets()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await page.WaitForSelectorAsync("button.slot", Visible);
        (await page.InputValueAsync("#zone")).ShouldBe("Europe/Paris");   // the browser's own zone

        await page.FillAsync(".zone-search", "kolk");
        var options = await page.Locator("#zone option").AllTextContentsAsync();
        options.ShouldContain("(GMT+05:30) Asia/Kolkata");
        options.ShouldNotContain(o => o.Contains("Calcutta"));
        await page.SelectOptionAsync("#zone", "Asia/Kolkata");
        // 09:00 UTC is 14:30 in Kolkata: the first time of a whole day now reads so. Today's first
        // free time depends on the hour the test runs, so look at next month's first free day.
        await page.WaitForTimeoutAsync(100);
        await page.ClickAsync("#next-month");
        await page.WaitForSelectorAsync("button.slot:has-text('2:30')", Visible);
    }

    [Fact]
    public async Task a_month_without_times_names_the_next_free_day()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}?timezone=UTC");
        await page.WaitForSelectorAsync("button.slot", Visible);
        // Time off for the whole of next month, then look at it.
        var next = DateTime.UtcNow.AddMonths(1);
        var first = new DateOnly(next.Year, next.Month, 1);
        (await app.Http.Post("/v0/me/time-off", new { startDate = first.ToString("yyyy-MM-dd"), endDate = first.AddMonths(1).AddDays(-1).ToString("yyyy-MM-dd") }, organizer.Session))
            .ShouldBe(200);
        await page.WaitForTimeoutAsync(100);
        await page.ClickAsync("#next-month");
        await page.WaitForSelectorAsync("#slots:has-text('next available')", Visible);
        (await page.TextContentAsync("#slots"))!.ShouldContain("No times this month");
        await page.ClickAsync("#slots button:has-text('Go to')");
        await page.WaitForSelectorAsync("button.slot", Visible);
    }
}

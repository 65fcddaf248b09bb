using Microsoft.Playwright;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// The whole product as two people use it, only through the pages: an organizer in Berlin signs up by magic link, sets
/// hours, asks two questions, reads the answers, cancels one booking; an invitee in New York books from the month
/// calendar, reschedules and cancels from one manage page; holidays of four countries come in; a team is made, a member
/// invited by username accepts, and the team is booked. Every page on the way passes axe. At desktop and phone size.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PersonJourneyTests(BrowserApp app)
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 20_000 };
    private static readonly PageWaitForSelectorOptions Ready = new() { State = WaitForSelectorState.Attached, Timeout = 30_000 };

    private async Task<IPage> Browser(int width, int height, string zone)
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, TimezoneId = zone });
        return await context.NewPageAsync();
    }

    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task an_organizer_and_an_invitee_do_everything_through_the_pages(int width, int height)
    {
        var username = Organizers.Unique("ada");
        var slug = "intro";

        // Sign up by magic link.
        var organizer = await Browser(width, height, "Europe/Berlin");
        await organizer.GotoAsync($"{app.BaseUrl}/auth/sign-in");
        await organizer.WaitForSelectorAsync("#zone option", new() { State = WaitForSelectorState.Attached });
        await organizer.ShouldHaveNoViolations("sign-in page");
        await organizer.FillAsync("#email", $"{username}@example.com");
        await organizer.FillAsync("#username", username);
        await organizer.FillAsync("#display-name", "Ada Organizer");
        (await organizer.InputValueAsync("#zone")).ShouldBe("Europe/Berlin");
        await organizer.ClickAsync("#sign-in-form button[type=submit]");
        await organizer.WaitForSelectorAsync("#follow", Visible);
        await organizer.ShouldHaveNoViolations("sign-in page, link sent");
        await organizer.ClickAsync("#follow");
        await organizer.WaitForSelectorAsync("#continue", Visible);
        await organizer.ShouldHaveNoViolations("verify page");
        await organizer.ClickAsync("#continue");
        await organizer.WaitForSelectorAsync("body[data-ready=true]", Ready);
        organizer.Url.ShouldBe($"{app.BaseUrl}/organizer");
        await organizer.ShouldHaveNoViolations("console, first run");
        (await organizer.IsVisibleAsync("#first-run-event-type")).ShouldBeTrue();

        // Hours: the working week it starts with, Friday afternoon off.
        (await organizer.Locator("#rules .rule").CountAsync()).ShouldBe(5);
        await organizer.Locator("#rules .rule").Nth(4).Locator("input").Last.FillAsync("13:00");
        await organizer.ClickAsync("#save-rules");
        await organizer.WaitForSelectorAsync("#save-rules:has-text('Saved')", Visible);

        // An event type with two questions.
        await organizer.FillAsync("#event-type-form [name=name]", "Intro call");
        await organizer.FillAsync("#event-type-form [name=slug]", slug);
        await organizer.ClickAsync("#event-type-form button:has-text('Add question')");
        await organizer.FillAsync("#event-type-form .question:nth-of-type(1) [name=q-label]", "Company");
        await organizer.CheckAsync("#event-type-form .question:nth-of-type(1) [name=q-required]");
        await organizer.ClickAsync("#event-type-form button:has-text('Add question')");
        await organizer.FillAsync("#event-type-form .question:nth-of-type(2) [name=q-label]", "Team size");
        await organizer.SelectOptionAsync("#event-type-form .question:nth-of-type(2) [name=q-kind]", "choice");
        await organizer.FillAsync("#event-type-form .question:nth-of-type(2) [name=q-options]", "Just me\n2–10\nMore than 10");
        await organizer.ShouldHaveNoViolations("console, event type with questions being made");
        await organizer.ClickAsync("#event-type-form button[type=submit]");
        await organizer.WaitForSelectorAsync($"#event-types a[href='/{username}/{slug}']", Visible);

        // The invitee, in New York, books the second open day of the month calendar.
        var invitee = await Browser(width, height, "America/New_York");
        await invitee.GotoAsync($"{app.BaseUrl}/{username}/{slug}");
        await invitee.WaitForSelectorAsync("button.slot", Visible);
        (await invitee.InputValueAsync("#zone")).ShouldBe("America/New_York");
        await invitee.ShouldHaveNoViolations("booking page");
        var open = invitee.Locator("#calendar button.day:not([disabled])");
        var secondDay = (await open.Nth(1).GetAttributeAsync("data-day"))!;
        await open.Nth(1).ClickAsync();
        await invitee.WaitForSelectorAsync($"#calendar button[data-day='{secondDay}'][aria-pressed=true]", Visible);
        var slot = invitee.Locator("button.slot").Nth(1);
        var startsAt = (await slot.GetAttributeAsync("data-starts-at"))!;
        await slot.ClickAsync();
        await invitee.FillAsync("#invitee-name", "Ines Invitee");
        await invitee.FillAsync("#invitee-email", "ines@example.com");
        await invitee.GetByLabel("Company *").FillAsync("Acme");
        await invitee.SelectOptionAsync("[name=answer-team-size]", "2–10");
        await invitee.ShouldHaveNoViolations("booking form");
        await invitee.ClickAsync("#book-button");
        await invitee.WaitForSelectorAsync("#confirmation", Visible);
        (await invitee.TextContentAsync("#confirmed-when"))!.ShouldContain("(America/New_York)");
        await invitee.ShouldHaveNoViolations("confirmation");
        (await invitee.EvaluateAsync<int>("document.documentElement.scrollWidth")).ShouldBeLessThanOrEqualTo(width);

        // The organizer reads the answers on the booking's card.
        await organizer.ReloadAsync();
        await organizer.WaitForSelectorAsync(".booking-card:has-text('Intro call with Ines Invitee')", Visible);
        var card = await organizer.TextContentAsync(".booking-card") ?? "";
        card.ShouldContain("Acme");
        card.ShouldContain("2–10");
        await organizer.ShouldHaveNoViolations("console with a booking");

        // One manage page: move the booking, then cancel it there.
        await invitee.ClickAsync("#manage-link");
        await invitee.WaitForSelectorAsync("button.slot", Visible);
        (await invitee.IsVisibleAsync("#cancel-form")).ShouldBeTrue();
        await invitee.ShouldHaveNoViolations("manage page");
        var target = invitee.Locator("button.slot").Nth(3);
        var newStart = (await target.GetAttributeAsync("data-starts-at"))!;
        newStart.ShouldNotBe(startsAt);
        await target.ClickAsync();
        await invitee.ClickAsync("#reschedule-button");
        await invitee.WaitForSelectorAsync("#done:has-text('Moved.')", Visible);
        await invitee.WaitForSelectorAsync("#cancel-form", Visible);
        (await invitee.TextContentAsync("[data-testid=status]")).ShouldBe("confirmed");
        await invitee.ShouldHaveNoViolations("manage page after the move");
        await invitee.FillAsync("#reason", "Found another time");
        await invitee.ClickAsync("#cancel-form button[type=submit]");
        await invitee.WaitForSelectorAsync("#done:has-text('canceled')", Visible);
        (await invitee.TextContentAsync("[data-testid=status]")).ShouldBe("canceled");

        // A second booking, canceled by the organizer from the console with a reason.
        await invitee.GotoAsync($"{app.BaseUrl}/{username}/{slug}");
        await invitee.WaitForSelectorAsync("button.slot", Visible);
        await invitee.Locator("button.slot").First.ClickAsync();
        await invitee.FillAsync("#invitee-name", "Sam Second");
        await invitee.FillAsync("#invitee-email", "sam@example.com");
        await invitee.GetByLabel("Company *").FillAsync("Beta");
        await invitee.ClickAsync("#book-button");
        await invitee.WaitForSelectorAsync("#confirmation", Visible);
        await organizer.ReloadAsync();
        await organizer.WaitForSelectorAsync(".booking-card:has-text('Sam Second')", Visible);
        await organizer.ClickAsync(".booking-card:has-text('Sam Second') button:has-text('Cancel booking')");
        await organizer.FillAsync(".cancel-booking [name=reason]", "I am travelling.");
        await organizer.ShouldHaveNoViolations("console, organizer's cancel");
        await organizer.ClickAsync(".cancel-booking button[type=submit]");
        await organizer.WaitForSelectorAsync("#bookings:has-text('No upcoming bookings yet')", Visible);
        await organizer.SelectOptionAsync("#booking-filter", "canceled");
        await organizer.WaitForSelectorAsync(".booking-card:has-text('Reason: I am travelling.')", Visible);

        // Holidays of four countries.
        var before = await organizer.Locator("#time-off li").CountAsync();
        foreach (var country in new[] { "US", "GB", "DE", "IN" })
        {
            await organizer.SelectOptionAsync("#holiday-form [name=country]", country);
            await organizer.ClickAsync("#holiday-form button[type=submit]");
            // More entries than before: the import's holidays are listed.
            await organizer.WaitForSelectorAsync($"#time-off li:nth-child({before + 1})", Visible);
            before = await organizer.Locator("#time-off li").CountAsync();
            (await organizer.IsHiddenAsync("#time-off-panel .error")).ShouldBeTrue();
        }
        await organizer.ShouldHaveNoViolations("console with holidays");

        // A team: a member invited by username accepts in their own console, and the team is booked.
        var member = await app.Http.SignUp();
        var teamSlug = Organizers.Unique("team");
        await organizer.FillAsync("#team-form [name=name]", "Ada & Co");
        await organizer.FillAsync("#team-form [name=slug]", teamSlug);
        await organizer.ClickAsync("#team-form button[type=submit]");
        await organizer.WaitForSelectorAsync("#teams form.invite", Visible);
        await organizer.FillAsync("#teams form.invite [name=who]", member.Username);
        await organizer.ClickAsync("#teams form.invite button[type=submit]");
        await organizer.WaitForSelectorAsync($"#teams li[data-member='{member.Username}']:has-text('invited, not yet accepted')", Visible);
        await organizer.FillAsync("#teams [name=name]", "Team intro");
        await organizer.FillAsync("#teams [name=slug]", "intro");
        await organizer.ClickAsync("#teams button:has-text('Create team event type')");
        await organizer.WaitForSelectorAsync("#teams h3:has-text('1 event type')", Visible);
        await organizer.ShouldHaveNoViolations("console with a team");

        var memberConsole = await Browser(width, height, "UTC");
        await memberConsole.AddInitScriptAsync($"localStorage.setItem('oc-session', '{member.Session}');");
        await memberConsole.GotoAsync($"{app.BaseUrl}/organizer");
        await memberConsole.WaitForSelectorAsync("#invitations li:has-text('invited you to Ada & Co')", Visible);
        await memberConsole.ShouldHaveNoViolations("member's console with an invitation");
        await memberConsole.ClickAsync("#invitations button:has-text('Accept')");
        await memberConsole.WaitForSelectorAsync("#invitations-block", new() { State = WaitForSelectorState.Hidden });

        await invitee.GotoAsync($"{app.BaseUrl}/team/{teamSlug}/intro");
        await invitee.WaitForSelectorAsync("button.slot", Visible);
        (await invitee.TextContentAsync("#hosts"))!.ShouldContain($"Org {member.Username}");
        await invitee.ShouldHaveNoViolations("team booking page");
        await invitee.Locator("button.slot").First.ClickAsync();
        await invitee.FillAsync("#invitee-name", "Tia Team");
        await invitee.FillAsync("#invitee-email", "tia@example.com");
        await invitee.ClickAsync("#book-button");
        await invitee.WaitForSelectorAsync("#confirmation", Visible);
        (await invitee.TextContentAsync("#confirmed-with"))!.ShouldStartWith("With: ");
        await invitee.ShouldHaveNoViolations("team confirmation");
    }
}

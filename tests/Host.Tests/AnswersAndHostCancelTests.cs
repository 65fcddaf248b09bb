using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace OpenCalendly.Host.Tests;

/// <summary>The organizer reads what the invitee answered, and can cancel a booking themselves.</summary>
[Collection(AppCollection.Name)]
public sealed class AnswersAndHostCancelTests(App app)
{
    private readonly HttpClient _http = app.Http;

    private static readonly object[] Questions =
    [
        new { id = "company", label = "Company", required = true },
        new { id = "agenda", label = "What should we cover?", required = false, kind = "long_text" },
        new { id = "size", label = "Team size", required = true, kind = "choice", options = new[] { "1–10", "11–50", "51+" } },
    ];

    private async Task<(Organizer Organizer, string Slug, JsonNode Booked)> BookedWithAnswers(string startsAt = "2030-11-04T10:00:00Z")
    {
        var (organizer, slug, _) = await _http.Bookable(questions: Questions);
        var booked = (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt,
            answers: new Dictionary<string, string> { ["company"] = "Acme", ["agenda"] = "Pricing\nand onboarding", ["size"] = "11–50" }),
            idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        return (organizer, slug, booked);
    }

    [Fact]
    public async Task the_organizer_sees_the_answers_in_the_list_the_history_and_the_email()
    {
        var (organizer, _, booked) = await BookedWithAnswers();
        var id = booked["booking"]!["id"]!.GetValue<string>();

        var listed = (await _http.Get("/v0/me/bookings", organizer.Session)).ShouldBe(200).Json["bookings"]!.AsArray().Single()!;
        listed["eventTypeName"]!.GetValue<string>().ShouldBe("Call");
        listed["answers"]!.AsArray().Select(a => $"{a!["label"]}={a["value"]}")
            .ShouldBe(["Company=Acme", "What should we cover?=Pricing\nand onboarding", "Team size=11–50"]);
        (await _http.Get($"/v0/bookings/{id}/history", organizer.Session)).ShouldBe(200).Json["booking"]!["answers"]!.AsArray().Count.ShouldBe(3);

        var toOrganizer = (await Mailbox.WaitFor(app.MailFolder, $"booking-confirmed:{id}:organizer", 1)).ShouldHaveSingleItem();
        toOrganizer.TextBody!.ShouldContain("Company: “Acme”");
        toOrganizer.TextBody!.ShouldContain("What should we cover?: “Pricing / and onboarding”");
        toOrganizer.TextBody!.ShouldContain("Team size: “11–50”");
        var toInvitee = (await Mailbox.WaitFor(app.MailFolder, $"booking-confirmed:{id}:invitee", 1)).ShouldHaveSingleItem();
        toInvitee.TextBody!.ShouldNotContain("Company:");
    }

    [Fact]
    public async Task a_choice_takes_only_its_options_and_a_short_answer_only_one_line()
    {
        var (organizer, slug, _) = await _http.Bookable(questions: Questions);
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-11-05T10:00:00Z",
            answers: new Dictionary<string, string> { ["company"] = "Acme", ["size"] = "a million" }), idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(400, "invalid-answer").Json["error"]!.GetValue<string>().ShouldContain("Team size");
        (await _http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-11-05T10:00:00Z",
            answers: new Dictionary<string, string> { ["company"] = "Acme\nInc", ["size"] = "51+" }), idempotencyKey: Api.NewKey()))
            .ShouldBeProblem(400, "invalid-answer");
        (await _http.Post("/v0/event-types", new
        {
            name = "X", slug = Organizers.Unique("x"), durationMinutes = 30, locationType = "video",
            questions = new object[] { new { id = "pick", label = "Pick", kind = "choice", options = new[] { "only one" } } },
        }, organizer.Session)).ShouldBeProblem(400, "validation");
        (await _http.Post("/v0/event-types", new
        {
            name = "X", slug = Organizers.Unique("x"), durationMinutes = 30, locationType = "video",
            questions = new object[] { new { id = "free", label = "Free", kind = "text", options = new[] { "a", "b" } } },
        }, organizer.Session)).ShouldBeProblem(400, "validation");
    }

    [Fact]
    public async Task the_organizer_cancels_with_a_reason_and_the_invitee_hears_of_it()
    {
        var (organizer, slug, booked) = await BookedWithAnswers("2030-11-06T10:00:00Z");
        var id = booked["booking"]!["id"]!.GetValue<string>();
        var stranger = await _http.SignUp();

        // Nobody else can, and an invitee's link-less request cannot either.
        (await _http.Post($"/v0/bookings/{id}/cancel", new { reason = "mine now" }, stranger.Session)).ShouldBeProblem(404, "not-found");
        (await _http.Post($"/v0/bookings/{id}/cancel", new { reason = "anonymous" })).ShouldBe(401);
        (await _http.Post($"/v0/bookings/{Guid.NewGuid()}/cancel", new { }, organizer.Session)).ShouldBeProblem(404, "not-found");

        var canceled = (await _http.Post($"/v0/bookings/{id}/cancel", new { reason = "I am ill, sorry." }, organizer.Session)).ShouldBe(200).Json;
        canceled["booking"]!["status"]!.GetValue<string>().ShouldBe("canceled");
        canceled["email"]!["queued"]!.GetValue<int>().ShouldBe(2);
        (await _http.Post($"/v0/bookings/{id}/cancel", new { }, organizer.Session)).ShouldBe(200).Json["email"]!["queued"]!.GetValue<int>().ShouldBe(0);

        var toInvitee = (await Mailbox.WaitFor(app.MailFolder, $"booking-canceled:{id}:invitee", 1)).ShouldHaveSingleItem();
        toInvitee.TextBody!.ShouldContain("“I am ill, sorry.”");
        var history = (await _http.Get($"/v0/bookings/{id}/history", organizer.Session)).Json["history"]!.AsArray();
        var entry = history.Single(h => h!["type"]!.GetValue<string>() == "booking.canceled")!;
        entry["actor"]!["kind"]!.GetValue<string>().ShouldBe("organizer");
        entry["actor"]!["email"]!.GetValue<string>().ShouldBe(organizer.Email);
        // The slot is free again, and the invitee's own link now says it is canceled.
        (await _http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start=2030-11-06T00:00:00Z&days=1")).Body
            .ShouldContain("\"startsAt\":\"2030-11-06T10:00:00.000Z\"");
        (await _http.Get($"/v0/bookings/actions/{booked["actions"]!["cancel"]!["token"]!.GetValue<string>()}")).ShouldBe(200)
            .Json["booking"]!["status"]!.GetValue<string>().ShouldBe("canceled");
    }
}

/// <summary>The same as a person does it in the console and on the booking page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class QuestionJourneyTests(BrowserApp app)
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 15_000 };

    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task an_organizer_asks_two_questions_reads_the_answers_and_cancels_as_organizer(int width, int height)
    {
        var organizer = await app.Http.SignUp();
        var rules = Enumerable.Range(0, 7).Select(d => new { dayOfWeek = d, startMinute = 9 * 60, endMinute = 17 * 60 });
        (await app.Http.Put("/v0/me/availability/rules", new { rules }, organizer.Session)).ShouldBe(200);

        var console = await app.NewPage(width, height);
        await console.AddInitScriptAsync($"localStorage.setItem('oc-session', '{organizer.Session}');");
        await console.GotoAsync($"{app.BaseUrl}/organizer");
        await console.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });

        // An event type with a short answer and a choice, made in the console.
        await console.FillAsync("#event-type-form [name=name]", "Discovery call");
        await console.FillAsync("#event-type-form [name=slug]", "discovery");
        await console.ClickAsync("#event-type-form button:has-text('Add question')");
        await console.FillAsync("#event-type-form .question:nth-of-type(1) [name=q-label]", "Company");
        await console.CheckAsync("#event-type-form .question:nth-of-type(1) [name=q-required]");
        await console.ClickAsync("#event-type-form button:has-text('Add question')");
        await console.FillAsync("#event-type-form .question:nth-of-type(2) [name=q-label]", "Budget");
        await console.SelectOptionAsync("#event-type-form .question:nth-of-type(2) [name=q-kind]", "choice");
        await console.FillAsync("#event-type-form .question:nth-of-type(2) [name=q-options]", "Under 10k\n10k or more");
        await console.ClickAsync("#event-type-form button[type=submit]");
        await console.WaitForSelectorAsync($"#event-types a[href='/{organizer.Username}/discovery']", Visible);

        // The invitee answers both on the booking page.
        var invitee = await app.NewPage(width, height);
        await invitee.GotoAsync($"{app.BaseUrl}/{organizer.Username}/discovery");
        await invitee.WaitForSelectorAsync("button.slot", Visible);
        await invitee.Locator("button.slot").First.ClickAsync();
        await invitee.FillAsync("#invitee-name", "Pat Lee");
        await invitee.FillAsync("#invitee-email", "pat@example.com");
        await invitee.FillAsync("[name=answer-company]", "Acme");
        await invitee.SelectOptionAsync("[name=answer-budget]", "10k or more");
        await invitee.ClickAsync("#book-button");
        await invitee.WaitForSelectorAsync("#confirmation", Visible);

        // The organizer reads the answers on the booking's card, and cancels it with a reason.
        await console.ReloadAsync();
        await console.WaitForSelectorAsync(".booking-card:has-text('Discovery call with Pat Lee')", Visible);
        var card = await console.TextContentAsync(".booking-card") ?? "";
        card.ShouldContain("Acme");
        card.ShouldContain("10k or more");
        await console.ClickAsync(".booking-card button:has-text('Cancel booking')");
        await console.FillAsync(".cancel-booking [name=reason]", "Something came up.");
        await console.ClickAsync(".cancel-booking button[type=submit]");
        await console.WaitForSelectorAsync("#bookings:has-text('No upcoming bookings yet')", Visible);
        await console.SelectOptionAsync("#booking-filter", "canceled");
        await console.WaitForSelectorAsync(".booking-card:has-text('Reason: Something came up.')", Visible);
    }

    [Fact]
    public async Task an_invitee_named_in_markup_is_shown_as_text_when_the_organizer_cancels()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        const string name = "Eve <b id=\"injected\">Bold</b><a id=\"phish\" href=\"https://evil.example/\">Sign in again</a>";
        (await app.Http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-11-05T10:00:00Z", "eve@example.com", inviteeName: name),
            idempotencyKey: Api.NewKey())).ShouldBe(200);

        var console = await app.NewPage(1280, 900);
        await console.AddInitScriptAsync($"localStorage.setItem('oc-session', '{organizer.Session}');");
        await console.GotoAsync($"{app.BaseUrl}/organizer");
        await console.WaitForSelectorAsync(".booking-card:has-text('Eve <b')", Visible);
        await console.ClickAsync(".booking-card button:has-text('Cancel booking')");
        await console.WaitForSelectorAsync(".cancel-booking [name=reason]", Visible);

        (await console.TextContentAsync(".cancel-booking button[type=submit]")).ShouldBe($"Cancel and tell {name}");
        (await console.Locator("#injected, #phish").CountAsync()).ShouldBe(0);
        await console.ClickAsync(".cancel-booking button[type=submit]");
        await console.WaitForSelectorAsync("#bookings:has-text('No upcoming bookings yet')", Visible);
    }
}

/// <summary>The console as a newcomer meets it: where to start, how to get around, what a webhook sends.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ConsoleBasicsTests(BrowserApp app)
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 15_000 };

    [Fact]
    public async Task a_new_organizer_is_told_where_to_start_gets_around_by_the_navigation_and_picks_webhook_events()
    {
        var organizer = await app.Http.SignUp();
        var page = await app.NewPage(390, 844);
        await page.AddInitScriptAsync($"localStorage.setItem('oc-session', '{organizer.Session}');");
        await page.GotoAsync($"{app.BaseUrl}/organizer");
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });

        // A newcomer starts with working hours (Monday to Friday, 09:00–17:00 in their zone) and is told what comes next.
        (await page.IsVisibleAsync("#first-run-event-type")).ShouldBeTrue();
        var hours = (await app.Http.Get("/v0/me/availability", organizer.Session)).Json["rules"]!.AsArray();
        hours.Select(r => r!["dayOfWeek"]!.GetValue<int>()).ShouldBe([1, 2, 3, 4, 5]);
        hours.ShouldAllBe(r => r!["startMinute"]!.GetValue<int>() == 540 && r["endMinute"]!.GetValue<int>() == 1020);
        (await page.Locator("#rules .rule").CountAsync()).ShouldBe(5);

        // The API's complaint reads in the form's own words.
        await page.FillAsync("#event-type-form [name=name]", "Chat");
        await page.FillAsync("#event-type-form [name=slug]", "chat-long");
        await page.EvaluateAsync("() => { const m = document.querySelector('#event-type-form [name=durationMinutes]'); m.removeAttribute('max'); m.value = '500'; }");
        await page.ClickAsync("#event-type-form button[type=submit]");
        await page.WaitForSelectorAsync("#event-types-panel .error", Visible);
        (await page.TextContentAsync("#event-types-panel .error"))!.ShouldStartWith("Minutes: must be");
        (await page.TextContentAsync("#event-types"))!.ShouldContain("No event types yet");
        await page.ClickAsync(".console-nav a:has-text('Webhooks')");
        page.Url.ShouldEndWith("#webhooks-panel");

        await page.FillAsync("#webhook-form [name=url]", "https://93.184.215.14/hook");
        await page.FillAsync("#webhook-form [name=secret]", "a-long-enough-secret");
        await page.UncheckAsync("#webhook-form [value='booking.rescheduled']");
        await page.ClickAsync("#webhook-form button[type=submit]");
        await page.WaitForSelectorAsync("#webhooks li", Visible);
        var hooks = (await app.Http.Get("/v0/webhooks", organizer.Session)).Json["webhooks"]!.AsArray();
        hooks.Single()!["events"]!.AsArray().Select(e => e!.GetValue<string>()).ShouldBe(["booking.created", "booking.canceled"], ignoreOrder: true);

        // With an event type the hint goes; an event type offers its link to copy. Without hours it says so.
        (await app.Http.Post("/v0/event-types", new { name = "Chat", slug = "chat", durationMinutes = 30, locationType = "video" }, organizer.Session)).ShouldBe(200);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        (await page.IsVisibleAsync("#first-run")).ShouldBeFalse();
        (await page.GetAttributeAsync("#event-types button:has-text('Copy link')", "data-link")).ShouldBe($"{app.BaseUrl}/{organizer.Username}/chat");
        (await app.Http.Put("/v0/me/availability/rules", new { rules = Array.Empty<object>() }, organizer.Session)).ShouldBe(200);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        (await page.IsVisibleAsync("#first-run-hours")).ShouldBeTrue();
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// The embed on a page of another origin (a shop served from its own port):
/// the booking page runs in the iframe, the iframe grows to fit it, and the shop hears about the booking.
/// The console's scheduling controls, time off and history panels are exercised here too.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class EmbedTests(BrowserApp app)
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 15_000 };

    [Fact]
    public async Task one_script_tag_on_another_site_books_through_a_self_sizing_iframe_and_tells_the_host_page()
    {
        var (organizer, slug, _) = await app.Http.Bookable();
        var page = await app.NewPage();
        var shop = $$"""
            <!doctype html><html><head><title>Shop</title></head><body>
            <h1>Book a fitting</h1>
            <script>window.booked = []; document.addEventListener("booking.confirmed", (e) => window.booked.push(e.detail));</script>
            <script src="{{app.BaseUrl}}/embed.js" data-user="{{organizer.Username}}" data-slug="{{slug}}"></script>
            <p id="after">Thanks for visiting.</p>
            </body></html>
            """;
        // Another origin: a shop on its own port. (A real server, on loopback like this host: Chromium refuses a
        // public page's calls into the loopback address space, so a routed fake origin cannot load /embed.js here.)
        var (server, shopOrigin) = await LocalServer.StartAsync(web => web.MapGet("/fitting", () => Results.Content(shop, "text/html")));
        await using var _ = server;
        await page.GotoAsync($"{shopOrigin}/fitting");

        var frame = page.FrameLocator("iframe.opencalendly-embed");
        await frame.Locator("button.slot").First.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 15_000 });
        (await page.EvaluateAsync<string>("document.querySelector('iframe.opencalendly-embed').src"))
            .ShouldBe($"{app.BaseUrl}/{organizer.Username}/{slug}?embed=1&parent={Uri.EscapeDataString(shopOrigin)}");
        (await frame.Locator("header.chrome").IsVisibleAsync()).ShouldBeFalse();
        await page.WaitForFunctionAsync("parseInt(document.querySelector('iframe.opencalendly-embed').style.height) > 0");

        await frame.Locator("button.slot").First.ClickAsync();
        await frame.Locator("#invitee-name").FillAsync("Pat Lee");
        await frame.Locator("#invitee-email").FillAsync("pat@example.com");
        await frame.Locator("#book-button").ClickAsync();
        await frame.Locator("#confirmation").WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 15_000 });

        await page.WaitForFunctionAsync("window.booked.length === 1");
        var bookingId = await page.EvaluateAsync<string>("window.booked[0].id");
        var listed = (await app.Http.Get("/v0/me/bookings", organizer.Session)).Json["bookings"]!.AsArray().ShouldHaveSingleItem()!;
        listed["id"]!.GetValue<string>().ShouldBe(bookingId);
        (await page.EvaluateAsync<string>("window.booked[0].inviteeEmail")).ShouldBe("pat@example.com");
        (await page.IsVisibleAsync("#after")).ShouldBeTrue();
    }

    [Fact]
    public async Task the_console_sets_controls_shows_the_embed_snippet_adds_time_off_and_reads_a_bookings_history()
    {
        var (organizer, slug, id) = await app.Http.Bookable();
        var booked = (await app.Http.Post("/v0/bookings", Bookings.Request(organizer, slug, "2030-01-07T10:00:00Z"), idempotencyKey: Api.NewKey())).ShouldBe(200);
        var page = await app.NewPage();
        await page.AddInitScriptAsync($"localStorage.setItem('oc-session', '{organizer.Session}');");
        await page.GotoAsync($"{app.BaseUrl}/organizer");
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });

        await page.ClickAsync("#event-types button:text-is('Edit')");
        await page.FillAsync(".edit-event-type [name=minimumNoticeMinutes]", "240");
        await page.FillAsync(".edit-event-type [name=dailyCap]", "4");
        await page.FillAsync(".edit-event-type [name=reminders]", "1440, 60");
        await page.ClickAsync(".edit-event-type button[type=submit]");
        await page.WaitForSelectorAsync("#event-types button:text-is('Edit')", Visible);
        var eventType = (await app.Http.Get("/v0/event-types", organizer.Session)).Json["eventTypes"]![0]!;
        eventType["controls"]!["minimumNoticeMinutes"]!.GetValue<int>().ShouldBe(240);
        eventType["controls"]!["dailyCap"]!.GetValue<int>().ShouldBe(4);
        eventType["controls"]!["weeklyCap"].ShouldBeNull();
        eventType["reminders"]!.AsArray().Select(r => r!["minutesBefore"]!.GetValue<int>()).ShouldBe([1440, 60]);

        await page.ClickAsync("#event-types button:text-is('Embed')");
        (await page.TextContentAsync(".embed-snippet")).ShouldBe(
            $"<script src=\"{app.BaseUrl}/embed.js\" data-user=\"{organizer.Username}\" data-slug=\"{slug}\" async></script>");

        await page.FillAsync("#time-off-form [name=startDate]", "2030-01-07");
        await page.FillAsync("#time-off-form [name=reason]", "Conference");
        await page.ClickAsync("#time-off-form button[type=submit]");
        await page.WaitForSelectorAsync("#time-off li:has-text('2030-01-07 · Conference')", Visible);
        await page.WaitForSelectorAsync("#time-off-conflicts li:has-text('Pat Lee')", Visible);

        await page.ClickAsync("#holiday-form button[type=submit]");
        await page.WaitForSelectorAsync("#time-off li:has-text('Independence Day')", Visible);

        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        await page.ClickAsync("#bookings button:text-is('History')");
        await page.WaitForSelectorAsync("#bookings .history li:has-text('Pat Lee booked')", Visible);
        booked.Json["booking"]!["id"].ShouldNotBeNull();
    }
}

using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace OpenCalendly.Host.Tests;

/// <summary>axe-core (Deque's engine, run in the page by Deque.AxeCore.Playwright) over what a person sees right now.</summary>
public static class Accessibility
{
    // Only violations come back (passes and incomplete results are not collected). Legacy mode runs axe.run in the page
    // itself instead of runPartial plus finishRun in a fresh blank tab: the same rules, without a tab per check (our
    // pages have no cross-origin frames, the one case legacy mode cannot see into).
    private static readonly AxeRunOptions Options = new() { ResultTypes = [ResultType.Violations] };

    /// <summary>Fails with every violation axe finds on the page as it stands: rule, impact, and the first offending elements.</summary>
    public static async Task ShouldHaveNoViolations(this IPage page, string what)
    {
#pragma warning disable CS0618 // legacy mode is marked for removal; see Options for why it is used while it exists
        var result = await page.Locator("html").RunAxeLegacy(Options);
#pragma warning restore CS0618
        var violations = result.Violations;
        if (violations.Length == 0) return;
        throw new ShouldAssertException($"{what} ({page.Url}) has {violations.Length} accessibility violation(s):\n" + string.Join("\n", violations.Select(v =>
            $"- {v.Id} ({v.Impact}): {v.Help}\n    " + string.Join("\n    ", v.Nodes.Take(4).Select(n => $"{n.Target}: {n.Html}")))));
    }
}

/// <summary>Every page as it first loads, at desktop and phone size, checked by axe.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserApp app)
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 15_000 };

    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task every_page_passes_axe(int width, int height)
    {
        var (organizer, slug, _) = await app.Http.Bookable(questions: [new { id = "company", label = "Company", required = true }]);
        var failures = new List<string>();
        async Task Check(IPage page, string what)
        {
            try { await page.ShouldHaveNoViolations(what); } catch (ShouldAssertException e) { failures.Add(e.Message); }
        }

        var page = await app.NewPage(width, height);
        await page.GotoAsync(app.BaseUrl + "/", new() { WaitUntil = WaitUntilState.NetworkIdle });
        await Check(page, "home");
        await page.GotoAsync(app.BaseUrl + "/auth/sign-in", new() { WaitUntil = WaitUntilState.NetworkIdle });
        await Check(page, "sign-in");
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await page.WaitForSelectorAsync("button.slot", Visible);
        await Check(page, "booking page");
        await page.Locator("button.slot").First.ClickAsync();
        await Check(page, "booking form");
        await page.FillAsync("#invitee-name", "Pat Lee");
        await page.FillAsync("#invitee-email", "pat@example.com");
        await page.GetByLabel("Company *").FillAsync("Acme");
        await page.ClickAsync("#book-button");
        await page.WaitForSelectorAsync("#confirmation", Visible);
        await Check(page, "confirmation");
        await page.ClickAsync("#manage-link");
        await page.WaitForSelectorAsync("button.slot", Visible);
        await Check(page, "manage page");
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/no-such-page");
        await page.WaitForSelectorAsync("#error", Visible);
        await Check(page, "missing booking page");

        await page.AddInitScriptAsync($"localStorage.setItem('oc-session', '{organizer.Session}');");
        await page.GotoAsync($"{app.BaseUrl}/organizer");
        await page.WaitForSelectorAsync("body[data-ready=true]", new() { State = WaitForSelectorState.Attached, Timeout = 15_000 });
        await Check(page, "console");
        await page.SelectOptionAsync("#theme-choice", "dark");
        await Check(page, "console, dark theme");
        await page.GotoAsync($"{app.BaseUrl}/{organizer.Username}/{slug}");
        await page.WaitForSelectorAsync("button.slot", Visible);
        await Check(page, "booking page, dark theme");
        failures.ShouldBeEmpty(string.Join("\n", failures));
    }

    [Fact]
    public async Task the_check_sees_a_field_without_a_label()
    {
        var page = await app.NewPage();
        await page.GotoAsync(app.BaseUrl + "/auth/sign-in", new() { WaitUntil = WaitUntilState.NetworkIdle });
        await page.EvaluateAsync("() => document.querySelector('main').append(document.createElement('input'))");
        string? failure = null;
        try { await page.ShouldHaveNoViolations("sign-in with a bare input"); }
        catch (ShouldAssertException e) { failure = e.Message; }   // Should.Throw lets Shouldly's own exception through
        failure.ShouldNotBeNull().ShouldContain("label (critical)");
    }
}

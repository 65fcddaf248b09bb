using Microsoft.Playwright;

namespace OpenCalendly.Host.Tests;

/// <summary>A seated event type's booking page as its invitees use it.</summary>
public static class SeatPages
{
    private static readonly PageWaitForSelectorOptions Visible = new() { State = WaitForSelectorState.Visible, Timeout = 15_000 };

    /// <summary>
    /// Student 0, 1, … open <paramref name="path"/> one after the other, each sees the first time end with its seats left
    /// (<paramref name="seatsLeft"/>, in order) and books it; answers the last student's page, on its confirmation.
    /// </summary>
    public static async Task<IPage> StudentsTakeTheFirstTime(BrowserApp app, string path, params string[] seatsLeft)
    {
        IPage? invitee = null;
        foreach (var (left, i) in seatsLeft.Select((left, i) => (left, i)))
        {
            invitee = await app.NewPage();
            await invitee.GotoAsync($"{app.BaseUrl}{path}");
            await invitee.WaitForSelectorAsync("button.slot", Visible);
            var first = invitee.Locator("button.slot").First;
            (await first.TextContentAsync())!.ShouldEndWith($"· {left}");
            await first.ClickAsync();
            await invitee.FillAsync("#invitee-name", $"Student {i}");
            await invitee.FillAsync("#invitee-email", $"student{i}@example.com");
            await invitee.ClickAsync("#book-button");
            await invitee.WaitForSelectorAsync("#confirmation", Visible);
        }
        return invitee!;
    }

    /// <summary>What the first time offered at <paramref name="path"/> says now.</summary>
    public static async Task<string> FirstTime(BrowserApp app, string path)
    {
        var page = await app.NewPage();
        await page.GotoAsync($"{app.BaseUrl}{path}");
        await page.WaitForSelectorAsync("button.slot", Visible);
        return (await page.Locator("button.slot").First.TextContentAsync())!;
    }
}

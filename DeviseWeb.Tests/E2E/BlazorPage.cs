using Microsoft.Playwright;

namespace DeviseWeb.Tests.E2E;

/// <summary>Waits that make a test act on the live page, not its prerendered copy.</summary>
public static class BlazorPage
{
    /// <summary>
    /// Opens a page and waits until its Blazor circuit is up: a click or file chosen on prerendered HTML
    /// would be lost.
    /// </summary>
    public static async Task GotoInteractiveAsync(this IPage page, string url)
    {
        await page.GotoAsync(url);
        await page.WaitForInteractiveAsync();
    }

    public static Task WaitForInteractiveAsync(this IPage page) =>
        page.WaitForFunctionAsync(IsInteractive);

    // The layout sets data-interactive="true" on its first live render; prerendered HTML carries "false".
    private const string IsInteractive = """() => document.querySelector('[data-interactive="true"]') !== null""";

    /// <summary>Fills the sign-in form (opening it when the page is elsewhere) and waits to leave it.</summary>
    public static async Task SignInAsync(this IPage page, string name, string password)
    {
        if (!page.Url.Contains("/signin", StringComparison.Ordinal)) await page.GotoAsync("/signin");
        await page.GetByLabel("User name").FillAsync(name);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/signin", StringComparison.Ordinal));
    }

    /// <summary>Ids of the result cards, in page order.</summary>
    public static async Task<IReadOnlyList<string>> ResultIdsAsync(this IPage page)
    {
        var ids = new List<string>();
        foreach (var card in await page.GetByTestId("result").AllAsync())
            ids.Add(await card.GetAttributeAsync("data-image-id") ?? "");
        return ids;
    }
}

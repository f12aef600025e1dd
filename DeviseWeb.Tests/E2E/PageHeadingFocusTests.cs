using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DeviseWeb.Tests.E2E;

/// <summary>
/// A navigation moves the focus to the page's heading for screen readers; the heading shows a focus ring only when the
/// user navigates with the keyboard, not on a page load or after a click.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class PageHeadingFocusTests(BrowserFixture browser) : IAsyncLifetime
{
    private IPage _page = null!;

    public async Task InitializeAsync() => _page = await browser.NewPageAsync();

    private ILocator Heading => _page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    [Fact]
    public async Task Heading_AfterAPageLoadAndAClickOnTheMenu_HasTheFocusWithoutARing()
    {
        // Arrange + Act: a fresh load
        await _page.GotoInteractiveAsync("/search");

        // Assert
        await Expect(Heading).ToBeFocusedAsync();
        await Expect(Heading).ToHaveCSSAsync("outline-style", "none");

        // Act: a click on the menu
        await _page.GetByRole(AriaRole.Link, new() { Name = "Training", Exact = true }).ClickAsync();

        // Assert
        await Expect(_page).ToHaveURLAsync(new Regex("/training$"));
        await Expect(Heading).ToBeFocusedAsync();
        await Expect(Heading).ToHaveCSSAsync("outline-style", "none");
    }

    [Fact]
    public async Task Heading_AfterANavigationByKeyboard_ShowsTheFocusRing()
    {
        // Arrange
        await _page.GotoInteractiveAsync("/search");
        await _page.GetByRole(AriaRole.Link, new() { Name = "Training", Exact = true }).FocusAsync();

        // Act
        await _page.Keyboard.PressAsync("Enter");

        // Assert
        await Expect(_page).ToHaveURLAsync(new Regex("/training$"));
        await Expect(Heading).ToBeFocusedAsync();
        await Expect(Heading).ToHaveCSSAsync("outline-style", "solid");
    }

    public async Task DisposeAsync() => await _page.Context.CloseAsync();
}

using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.E2E;

[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.E2E)]
public sealed class SearchPageTests(BrowserFixture browser) : IAsyncLifetime
{
    private IPage _page = null!;

    public async Task InitializeAsync() => _page = await browser.NewPageAsync();

    [Fact]
    public async Task Search_Words_ShowsThatManyResultCardsWithScoresBestFirst()
    {
        // Arrange
        await _page.GotoInteractiveAsync("/search");

        // Act
        await _page.GetByRole(AriaRole.Search).GetByLabel("Search").FillAsync("airplane");
        await _page.GetByLabel("Results (k)").FillAsync("6");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();

        // Assert
        await Expect(_page).ToHaveURLAsync(new Regex(@"/search\?q=airplane&k=6"));
        var results = _page.GetByTestId("result");
        await Expect(results).ToHaveCountAsync(6);
        await Expect(results.First).ToContainTextAsync("airplane");
        var scores = (await results.GetByTestId("score").AllInnerTextsAsync())
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(6, scores.Count);
        Assert.All(scores, s => Assert.InRange(s, -1, 1));
        Assert.Equal(scores.OrderDescending(), scores);
        await browser.ScreenshotAsync(_page, "search");
    }

    [Fact]
    public async Task ShareLink_OpenedInAFreshBrowser_ShowsTheSameResultsInTheSameOrder()
    {
        // Arrange: a search with k and a minimum score; the page pins the model version in its share link.
        await _page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"]);
        await _page.GotoInteractiveAsync("/search?q=dog&k=7&min=0.1");
        await Expect(_page.GetByTestId("result")).ToHaveCountAsync(7);
        var expected = await _page.ResultIdsAsync();

        // Act: copy the link and open it in a new context (no cookies, no storage).
        await _page.GetByRole(AriaRole.Button, new() { Name = "Copy link" }).ClickAsync();
        await Expect(_page.GetByText("Link copied")).ToBeVisibleAsync();
        string link = await _page.EvaluateAsync<string>("() => navigator.clipboard.readText()");
        var other = await browser.NewPageAsync();
        await other.GotoInteractiveAsync(link);

        // Assert
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/search\?q=dog&k=7&min=0\.1&model=\d+$", link);
        await Expect(other.GetByTestId("result")).ToHaveCountAsync(7);
        Assert.Equal(expected, await other.ResultIdsAsync());
        await Expect(other.GetByLabel("Results (k)")).ToHaveValueAsync("7");
        await Expect(other.GetByLabel("Minimum score")).ToHaveValueAsync("0.1");
        await other.Context.CloseAsync();
    }

    [Fact]
    public async Task ReferencePhoto_Chosen_SearchesWithItAndPutsItInTheLink()
    {
        // Arrange
        await _page.GotoInteractiveAsync("/search");

        // Act: a rabbit photo that is not in the gallery.
        await _page.GetByLabel("Reference photo").SetInputFilesAsync(Web.Integration.WebTestData.NewImagePath(1));

        // Assert
        await Expect(_page).ToHaveURLAsync(new Regex(@"/search\?ref=[0-9a-f]{64}"));
        await Expect(_page.GetByTestId("reference")).ToBeVisibleAsync();
        await Expect(_page.GetByTestId("result").First).ToContainTextAsync("rabbit");
    }

    public async Task DisposeAsync() => await _page.Context.CloseAsync();
}

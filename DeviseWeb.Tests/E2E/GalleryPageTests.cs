using System.Text.RegularExpressions;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace DeviseWeb.Tests.E2E;

[Collection(BrowserCollection.Name)]
public sealed class GalleryPageTests(BrowserFixture browser) : IAsyncLifetime
{
    private IPage _page = null!;

    public async Task InitializeAsync() => _page = await browser.NewPageAsync();

    [Fact]
    public async Task Upload_PhotoWithLabel_IsAddedAndFoundBySearchingTheLabel()
    {
        // Arrange: the gallery, live.
        await _page.GotoInteractiveAsync("/");
        await Expect(_page.GetByTestId("gallery-image").First).ToBeVisibleAsync();
        await browser.ScreenshotAsync(_page, "gallery");

        // Act: type a label, then hand over an apple photo the gallery lacks (as a drop does: the label field keeps focus).
        await _page.GetByLabel("Label for uploads").FillAsync("apple");
        await _page.GetByLabel("Upload images").SetInputFilesAsync(WebTestData.NewImagePath(0));
        var row = _page.GetByTestId("upload-status");
        await Expect(row).ToHaveAttributeAsync("data-outcome", "added");
        await Expect(row).ToContainTextAsync("Added as apple");
        await browser.ScreenshotAsync(_page, "gallery-uploaded");
        var href = await row.GetByRole(AriaRole.Link, new() { Name = "View" }).GetAttributeAsync("href");
        string id = Regex.Match(href ?? "", @"image/(\d+)$").Groups[1].Value;
        Assert.NotEmpty(id);

        await _page.GetByRole(AriaRole.Search).GetByLabel("Search").FillAsync("apple");
        await _page.GetByRole(AriaRole.Search).GetByLabel("Search").PressAsync("Enter");

        // Assert: the search page lists the new photo among the apples.
        await Expect(_page).ToHaveURLAsync(new Regex(@"/search\?q=apple"));
        await Expect(_page.Locator($"[data-testid='result'][data-image-id='{id}']")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ImageCard_Clicked_OpensTheDetailPageWithKeywords()
    {
        // Arrange
        await _page.GotoInteractiveAsync("/");
        var card = _page.GetByTestId("gallery-image").First;
        string id = await card.GetAttributeAsync("data-image-id") ?? "";

        // Act
        await card.ClickAsync();

        // Assert
        await Expect(_page).ToHaveURLAsync(new Regex($@"/image/{id}$"));
        await Expect(_page.GetByTestId("original-image")).ToBeVisibleAsync();
        await Expect(_page.GetByTestId("keyword").First).ToBeVisibleAsync();
        await Expect(_page.GetByTestId("result").First).ToBeVisibleAsync();
        await _page.GetByTestId("original-image").EvaluateAsync("img => img.decode()");
        await browser.ScreenshotAsync(_page, "image-detail");
    }

    public async Task DisposeAsync() => await _page.Context.CloseAsync();
}

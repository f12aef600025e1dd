using System.Text.RegularExpressions;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.E2E;

[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.E2E)]
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

    [Fact]
    public async Task SelectTwo_ChangeTheirLabelThenDeleteOne_TheGalleryAndSearchShowBoth()
    {
        // Arrange: the moon images, in selection mode.
        await _page.GotoInteractiveAsync("/?label=moon");
        await _page.GetByRole(AriaRole.Button, new() { Name = "Select", Exact = true }).ClickAsync();
        var boxes = _page.GetByRole(AriaRole.Checkbox, new() { Name = "Select moon" });
        await boxes.Nth(0).CheckAsync();
        await boxes.Nth(1).CheckAsync();
        await Expect(_page.GetByTestId("selection-count")).ToHaveTextAsync("2 selected");
        string kept = ImageIdOf(await boxes.Nth(0).GetAttributeAsync("aria-label"));
        string deleted = ImageIdOf(await boxes.Nth(1).GetAttributeAsync("aria-label"));
        Assert.NotEqual("", kept);
        Assert.NotEqual("", deleted);

        // Act 1: give both a new label.
        await _page.GetByRole(AriaRole.Button, new() { Name = "Change label" }).ClickAsync();
        var dialog = _page.GetByRole(AriaRole.Dialog);
        await dialog.GetByLabel("New label").FillAsync("Night Sky");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        // Assert 1: they leave the moon view and appear under their new label.
        await Expect(_page.GetByText("2 images are now labelled 'night sky'.")).ToBeVisibleAsync();
        await Expect(Card(kept)).ToHaveCountAsync(0);
        await Expect(Card(deleted)).ToHaveCountAsync(0);
        await _page.GotoInteractiveAsync("/?label=night%20sky");
        await Expect(_page.GetByTestId("gallery-image")).ToHaveCountAsync(2);
        await Expect(_page.GetByTestId("gallery-count")).ToContainTextAsync("2 images match");

        // Act 2: delete one of them, confirming.
        await _page.GetByRole(AriaRole.Button, new() { Name = "Select", Exact = true }).ClickAsync();
        await _page.GetByRole(AriaRole.Checkbox, new() { Name = $"Select night sky (image {deleted})" }).CheckAsync();
        await _page.GetByTestId("selection-bar").GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await _page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();

        // Assert 2: one is left in the gallery, and search finds it but not the deleted one.
        await Expect(_page.GetByText($"Deleted image #{deleted}.")).ToBeVisibleAsync();
        await Expect(_page.GetByTestId("gallery-image")).ToHaveCountAsync(1);
        await Expect(Card(kept)).ToBeVisibleAsync();
        await Expect(_page.GetByTestId("gallery-count")).ToContainTextAsync("1 image match");
        await browser.ScreenshotAsync(_page, "gallery-selection");
        await _page.GotoInteractiveAsync("/search?q=night%20sky&k=100");
        await Expect(_page.Locator($"[data-testid='result'][data-image-id='{kept}']")).ToBeVisibleAsync();
        await Expect(_page.Locator($"[data-testid='result'][data-image-id='{deleted}']")).ToHaveCountAsync(0);
    }

    private ILocator Card(string id) => _page.Locator($"[data-testid='gallery-image'][data-image-id='{id}']");

    private static string ImageIdOf(string? checkboxName) => Regex.Match(checkboxName ?? "", @"\(image (\d+)\)$").Groups[1].Value;

    public async Task DisposeAsync() => await _page.Context.CloseAsync();
}

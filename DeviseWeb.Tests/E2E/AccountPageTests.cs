using System.Text.RegularExpressions;
using DeviseWeb.Accounts;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.E2E;

/// <summary>Accounts in the browser: the first Admin, signing in, what a Viewer sees, and a shared link through sign-in.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.E2E)]
public sealed class AccountPageTests(BrowserFixture browser)
{
    [Fact]
    public async Task FirstStart_NoAccounts_OpensOnAdminCreationThenTheSignedInGallery()
    {
        // Arrange: an app of its own, with no account yet.
        var app = new FirstStartKestrelDeviseWebFactory();
        await ((IAsyncLifetime)app).InitializeAsync();
        try
        {
            var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.RootUri.ToString() });
            var page = await context.NewPageAsync();

            // Act
            await page.GotoAsync("/");
            await Expect(page).ToHaveURLAsync(new Regex("/setup$"));
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create the Admin account" })).ToBeVisibleAsync();
            await browser.ScreenshotAsync(page, "first-start-setup");
            await page.GetByLabel("User name").FillAsync("root");
            await page.GetByLabel("Password (at least", new() { Exact = false }).FillAsync(DeviseWebFactory.Password);
            await page.GetByLabel("Password again").FillAsync(DeviseWebFactory.Password);
            await page.GetByRole(AriaRole.Button, new() { Name = "Create Admin and sign in" }).ClickAsync();

            // Assert
            await page.WaitForInteractiveAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Gallery" })).ToBeVisibleAsync();
            await Expect(page.GetByTestId("user-name")).ToContainTextAsync("root");
            await Expect(page.GetByTestId("user-role")).ToHaveTextAsync("Admin");
            await context.CloseAsync();
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    [Fact]
    public async Task SignIn_WrongThenRightPassword_ShowsTheErrorThenTheUserMenu()
    {
        // Arrange
        var page = await browser.NewSignedOutPageAsync();
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(new Regex("/signin"));

        // Act
        await page.GetByLabel("User name").FillAsync(DeviseWebFactory.UserFor(UserRole.Editor));
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("signin-error")).ToHaveTextAsync("Wrong user name or password.");
        await browser.ScreenshotAsync(page, "sign-in");
        await page.SignInAsync(DeviseWebFactory.UserFor(UserRole.Editor), DeviseWebFactory.Password);

        // Assert
        await page.WaitForInteractiveAsync();
        await Expect(page.GetByTestId("user-name")).ToContainTextAsync("editor");
        await Expect(page.GetByTestId("user-role")).ToHaveTextAsync("Editor");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Users" })).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TrainingPage_AsViewer_HasNoTrainingControls()
    {
        // Arrange
        var page = await browser.NewPageAsync(UserRole.Viewer);

        // Act
        await page.GotoInteractiveAsync("/training");

        // Assert
        await Expect(page.GetByTestId("training-dashboard")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("training-read-only")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Start training" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Cancel training" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Activate" })).ToHaveCountAsync(0);
        await Expect(page.GetByLabel("Epochs")).ToHaveCountAsync(0);
        await browser.ScreenshotAsync(page, "training-viewer");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ShareLink_OpenedByASignedOutTeammate_LandsOnTheSameResultsAfterSignIn()
    {
        // Arrange: an Editor's search and its copied link.
        var sender = await browser.NewPageAsync(UserRole.Editor);
        await sender.GotoInteractiveAsync("/search?q=dog&k=5");
        await Expect(sender.GetByTestId("result")).ToHaveCountAsync(5);
        string link = await sender.GetByTestId("copy-link").GetAttributeAsync("data-share-url") ?? throw new InvalidOperationException("No share URL.");
        var sent = await sender.ResultIdsAsync();

        // Act: a teammate who is signed out opens it, signs in, and lands on it.
        var teammate = await browser.NewSignedOutPageAsync();
        await teammate.GotoAsync(link);
        await Expect(teammate).ToHaveURLAsync(new Regex("/signin\\?ReturnUrl="));
        await teammate.SignInAsync(DeviseWebFactory.UserFor(UserRole.Viewer), DeviseWebFactory.Password);
        await teammate.WaitForInteractiveAsync();

        // Assert
        await Expect(teammate.GetByTestId("result")).ToHaveCountAsync(5);
        Assert.Equal(new Uri(link).PathAndQuery, new Uri(teammate.Url).PathAndQuery);
        Assert.Equal(sent, await teammate.ResultIdsAsync());
        await Expect(teammate.GetByTestId("user-role")).ToHaveTextAsync("Viewer");
        await sender.Context.CloseAsync();
        await teammate.Context.CloseAsync();
    }
}

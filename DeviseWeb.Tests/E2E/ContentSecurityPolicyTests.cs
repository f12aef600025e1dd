using Microsoft.Playwright;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.E2E;

/// <summary>The pages run under the app's Content-Security-Policy without the browser blocking anything they use.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.E2E)]
public sealed class ContentSecurityPolicyTests(BrowserFixture browser) : IAsyncLifetime
{
    private IPage _page = null!;
    private readonly List<string> _blocked = [];

    public async Task InitializeAsync()
    {
        _page = await browser.NewPageAsync();
        _page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) _blocked.Add(message.Text);
        };
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/search?q=dog&k=5")]
    [InlineData("/training")]
    public async Task Page_UnderThePolicy_GoesInteractiveWithNothingBlocked(string url)
    {
        // Act: the page has to connect its circuit (websocket) and render live to become interactive.
        var response = await _page.GotoAsync(url);
        await _page.WaitForInteractiveAsync();
        await _page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        // Assert
        Assert.Contains("frame-ancestors 'none'", await response!.HeaderValueAsync("content-security-policy"), StringComparison.Ordinal);
        Assert.Empty(_blocked);
    }

    public async Task DisposeAsync() => await _page.Context.CloseAsync();
}

using DeviseWeb.Accounts;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Playwright;

namespace DeviseWeb.Tests.E2E;

/// <summary>
/// One app on a real loopback socket and one headless Debian Chromium for the whole browser collection;
/// each test opens its own context (fresh cookies and storage). Playwright's driver ships in its package;
/// it never downloads a browser here.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium package; override with DEVISE_CHROMIUM.</summary>
    public static string ChromiumPath => Environment.GetEnvironmentVariable("DEVISE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public KestrelDeviseWebFactory App { get; } = new();

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Not initialised yet.");

    /// <summary>Screenshots of each page, for a person to look at: DEVISE_SCREENSHOTS or TestResults/screenshots under the test output.</summary>
    public string ScreenshotDirectory { get; } = Environment.GetEnvironmentVariable("DEVISE_SCREENSHOTS") is { Length: > 0 } dir
        ? dir : Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"No Chromium at {ChromiumPath}: run scripts/install-deps.sh --browser (apt-get install -y chromium).");
        Directory.CreateDirectory(ScreenshotDirectory);
        var app = ((IAsyncLifetime)App).InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            ChromiumSandbox = false,
            // The machine has no outside network; these stop Chromium reaching for Google's services.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-quic"],
        });
        await app;
    }

    private readonly Dictionary<UserRole, string> _signedIn = [];
    private readonly SemaphoreSlim _signingIn = new(1, 1);

    /// <summary>A fresh context on the app's address, signed in as the Admin (tests not about accounts act as one).</summary>
    public Task<IPage> NewPageAsync() => NewPageAsync(UserRole.Admin);

    /// <summary>
    /// A fresh context (no storage shared with other tests) holding the sign-in cookie of the role's user: the
    /// first page of each role signs in through the real sign-in page, and later ones reuse its cookie.
    /// </summary>
    public async Task<IPage> NewPageAsync(UserRole role)
    {
        await _signingIn.WaitAsync();
        try
        {
            if (!_signedIn.ContainsKey(role))
            {
                var page = await NewSignedOutPageAsync();
                await page.SignInAsync(DeviseWebFactory.UserFor(role), DeviseWebFactory.Password);
                _signedIn[role] = await page.Context.StorageStateAsync();
                await page.Context.CloseAsync();
            }
        }
        finally { _signingIn.Release(); }
        return await NewContextPageAsync(_signedIn[role]);
    }

    /// <summary>A fresh context with no cookies: a visitor who has not signed in.</summary>
    public Task<IPage> NewSignedOutPageAsync() => NewContextPageAsync(null);

    private async Task<IPage> NewContextPageAsync(string? storageState)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.RootUri.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            StorageState = storageState,
        });
        context.SetDefaultTimeout(20_000);
        // Expectations wait as long as actions do: their own default, 5 s, was too short for a reference photo's first
        // backbone run while other test classes shared the 2 cores (a CI run failed on it).
        Assertions.SetDefaultExpectTimeout(20_000);
        return await context.NewPageAsync();
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        await ((IAsyncLifetime)App).DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

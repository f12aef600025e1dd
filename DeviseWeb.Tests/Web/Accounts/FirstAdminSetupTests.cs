using System.Net;
using DeviseWeb.Accounts;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>The first start: no account, so the first visit makes the Admin, from this machine or with the setup code.</summary>
public sealed class FirstAdminSetupTests : IAsyncLifetime
{
    private readonly FirstStartDeviseWebFactory _app = new();

    public Task InitializeAsync() => ((IAsyncLifetime)_app).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_app).DisposeAsync();

    [Fact]
    public async Task FirstVisit_NoAccounts_GoesToSetupWhichMakesTheAdminOnceAndSignsIn()
    {
        // Arrange
        using var client = _app.CreateAnonymousClient();

        // Act
        using var first = await client.GetAsync("/search?q=dog");
        using var signIn = await client.GetAsync("/signin");
        using var created = await PostSetupAsync(client, "root", DeviseWebFactory.Password, DeviseWebFactory.Password);
        using var api = await client.GetAsync("/api/status");
        using var again = await client.GetAsync("/setup");

        // Assert
        Assert.Equal("/setup", CookieSignIn.PathOf(first));
        Assert.Equal("/setup", CookieSignIn.PathOf(signIn));
        Assert.Equal("/", CookieSignIn.PathOf(created));
        Assert.Equal(HttpStatusCode.OK, api.StatusCode);
        Assert.Equal("/signin", CookieSignIn.PathOf(again));
        var admin = Assert.Single(_app.Services.GetRequiredService<UserAccounts>().List());
        Assert.Equal(("root", UserRole.Admin), (admin.Name, admin.Role));
    }

    [Fact]
    public async Task Setup_PasswordsDiffer_MakesNoAccount()
    {
        using var client = _app.CreateAnonymousClient();

        using var response = await PostSetupAsync(client, "root", DeviseWebFactory.Password, DeviseWebFactory.Password + "x");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-testid=\"setup-error\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(_app.Services.GetRequiredService<UserAccounts>().Any);
    }

    [Fact]
    public void Accepts_FromAnotherMachineOrThroughAProxy_OnlyWithTheSetupCode()
    {
        // Arrange
        var setup = _app.Services.GetRequiredService<FirstAdminSetup>();
        var remote = new DefaultHttpContext();
        remote.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        var local = new DefaultHttpContext();
        local.Connection.RemoteIpAddress = IPAddress.IPv6Loopback;
        var proxied = new DefaultHttpContext();
        proxied.Connection.RemoteIpAddress = IPAddress.Loopback;
        proxied.Request.Headers["X-Forwarded-For"] = "203.0.113.9";

        // Act and assert
        Assert.False(setup.Accepts(remote, null));
        Assert.False(setup.Accepts(remote, "AAAA-AAAA"));
        Assert.True(setup.Accepts(remote, setup.Code));
        Assert.True(setup.Accepts(remote, setup.Code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal)));
        Assert.True(setup.Accepts(local, null));
        Assert.False(setup.Accepts(proxied, null));
        Assert.True(setup.Accepts(proxied, setup.Code));
    }

    [Fact]
    public void Accepts_OnceAnAccountExists_Never()
    {
        var setup = _app.Services.GetRequiredService<FirstAdminSetup>();
        _app.Services.GetRequiredService<UserAccounts>().AddFirstAdmin("root", DeviseWebFactory.Password);
        var local = new DefaultHttpContext();
        local.Connection.RemoteIpAddress = IPAddress.Loopback;

        Assert.False(setup.Accepts(local, setup.Code));
        Assert.Throws<DeviseWeb.Engine.ConflictException>(() => _app.Services.GetRequiredService<UserAccounts>().AddFirstAdmin("second", DeviseWebFactory.Password));
    }

    private static async Task<HttpResponseMessage> PostSetupAsync(HttpClient client, string name, string password, string confirm)
    {
        string form = await client.GetStringAsync("/setup");
        return await client.PostAsync("/setup", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "setup",
            ["__RequestVerificationToken"] = CookieSignIn.AntiforgeryToken(form),
            ["Form.Name"] = name,
            ["Form.Password"] = password,
            ["Form.Confirm"] = confirm,
        }));
    }
}

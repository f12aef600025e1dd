using System.Net;
using System.Net.Http.Headers;
using DeviseWeb.Accounts;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>API keys: a key acts as its user, is stored only as a hash, and stops working the moment it is revoked.</summary>
[Collection(WebAppCollection.Name)]
public sealed class ApiKeyTests(DeviseWebFactory app)
{
    private ApiKeys Keys => app.Services.GetRequiredService<ApiKeys>();
    private UserAccounts Users => app.Services.GetRequiredService<UserAccounts>();

    [Fact]
    public async Task Revoke_AKeyInUse_TheNextRequestWithItIs401()
    {
        // Arrange
        var key = Keys.Create(DeviseWebFactory.UserFor(UserRole.Viewer));
        using var client = ClientWith(key.Secret);
        using (var before = await client.GetAsync("/api/status")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // Act
        Keys.Revoke(key.Info.Id);
        using var after = await client.GetAsync("/api/status");

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Contains(after.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
    }

    [Fact]
    public async Task RemoveUser_WithAKey_TheKeyStopsWorking()
    {
        // Arrange
        Users.Add("leaver", UserRole.Editor, DeviseWebFactory.Password);
        var key = Keys.Create("leaver");
        using var client = ClientWith(key.Secret);
        using (var before = await client.GetAsync("/api/status")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // Act
        Users.Remove("leaver");
        using var after = await client.GetAsync("/api/status");

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Empty(Keys.List("leaver"));
    }

    [Theory]
    [InlineData("dvk_not-a-real-key")]
    [InlineData("something-else")]
    [InlineData("")]
    public async Task Request_WithAnUnknownKey_Is401(string secret)
    {
        using var client = ClientWith(secret);

        using var response = await client.GetAsync("/api/images?take=1");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public void Create_AKey_IsShownOnceAndStoredOnlyAsItsHash()
    {
        // Act
        var key = Keys.Create(DeviseWebFactory.UserFor(UserRole.Editor));

        // Assert: 256 random bits behind the prefix; what is stored is a SHA-256, not the key.
        Assert.StartsWith(ApiKeys.KeyPrefix, key.Secret, StringComparison.Ordinal);
        Assert.Equal(32, Convert.FromBase64String(Base64(key.Secret[ApiKeys.KeyPrefix.Length..])).Length);
        var stored = app.Services.GetRequiredService<AccountsDatabase>().Keys.FindById(key.Info.Id);
        Assert.Equal(64, stored.Hash.Length);
        Assert.DoesNotContain(key.Secret[ApiKeys.KeyPrefix.Length..], stored.Hash, StringComparison.Ordinal);
        Assert.Equal(UserRole.Editor, Keys.Authenticate(key.Secret)?.Role);
    }

    private HttpClient ClientWith(string secret)
    {
        var client = app.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    private static string Base64(string base64Url)
    {
        string text = base64Url.Replace('-', '+').Replace('_', '/');
        return text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
    }
}

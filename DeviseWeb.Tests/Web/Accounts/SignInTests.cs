using System.Net;
using DeviseWeb.Accounts;
using DeviseWeb.Tests.Web.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>Signing in and out over HTTP, as the browser does it: the form, the cookie, the return URL.</summary>
[Collection(WebAppCollection.Name)]
public sealed class SignInTests(DeviseWebFactory app)
{
    [Fact]
    public async Task SharedLink_SignedOut_GoesThroughSignInAndBackToTheSameUrl()
    {
        // Arrange
        using var client = app.CreateAnonymousClient();

        // Act
        using var first = await client.GetAsync("/search?q=fish&k=5");
        string signIn = first.Headers.Location!.OriginalString;
        using var posted = await CookieSignIn.PostSignInAsync(client, DeviseWebFactory.UserFor(UserRole.Viewer), DeviseWebFactory.Password,
            new Uri(new Uri("http://localhost"), signIn).PathAndQuery);
        // The search page may add the model version it answered with to the address: follow that.
        var page = await client.GetAsync(CookieSignIn.PathOf(posted));
        for (int hops = 0; page.StatusCode == HttpStatusCode.Redirect && hops < 3; hops++)
        {
            string next = CookieSignIn.PathOf(page);
            page.Dispose();
            Assert.StartsWith("/search?q=fish&k=5", next, StringComparison.Ordinal);
            page = await client.GetAsync(next);
        }

        // Assert
        Assert.Contains("/signin?ReturnUrl=%2Fsearch%3Fq%3Dfish%26k%3D5", signIn, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("/search?q=fish&k=5", CookieSignIn.PathOf(posted));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-testid=\"user-name\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        page.Dispose();
    }

    [Fact]
    public async Task SignIn_WithAWrongPassword_StaysSignedOutAndSaysSo()
    {
        using var client = app.CreateAnonymousClient();

        using var posted = await CookieSignIn.PostSignInAsync(client, DeviseWebFactory.UserFor(UserRole.Admin), "not the password");
        using var api = await client.GetAsync("/api/status");

        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("data-testid=\"signin-error\"", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Theory]
    [InlineData("https://evil.test/")]
    [InlineData("//evil.test/")]
    [InlineData("/\\evil.test/")]
    public async Task SignIn_WithAReturnUrlElsewhere_LandsOnTheGallery(string returnUrl)
    {
        using var client = app.CreateAnonymousClient();

        using var posted = await CookieSignIn.PostSignInAsync(client, DeviseWebFactory.UserFor(UserRole.Viewer), DeviseWebFactory.Password,
            "/signin?ReturnUrl=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        Assert.Equal("/", CookieSignIn.PathOf(posted));
    }

    [Fact]
    public async Task Cookie_AfterThePasswordChanges_IsRefused()
    {
        // Arrange
        var users = app.Services.GetRequiredService<UserAccounts>();
        users.Add("changer", UserRole.Viewer, DeviseWebFactory.Password);
        using var client = app.CreateAnonymousClient();
        using (var signIn = await CookieSignIn.PostSignInAsync(client, "changer", DeviseWebFactory.Password)) Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        using (var before = await client.GetAsync("/api/status")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // Act
        users.SetPassword("changer", "another password");
        using var after = await client.GetAsync("/api/status");

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task ApiChange_WithTheCookieButNoAntiforgeryToken_Is400AndChangesNothing()
    {
        // Arrange: an Editor signed in with the cookie, as a cross-site page could make the browser send it.
        using var client = await CookieSignIn.SignedInClientAsync(app, UserRole.Editor);
        int jobs = (await ApiJson.ReadAsync<List<DeviseWeb.Engine.Jobs.JobInfo>>(await app.CreateClient().GetAsync("/api/jobs?take=200"))).Count;

        // Act
        using var response = await client.PostAsync("/api/training", null);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(jobs, (await ApiJson.ReadAsync<List<DeviseWeb.Engine.Jobs.JobInfo>>(await app.CreateClient().GetAsync("/api/jobs?take=200"))).Count);
    }

    [Fact]
    public async Task SignOut_FromTheMenuForm_EndsTheSession()
    {
        // Arrange
        using var client = await CookieSignIn.SignedInClientAsync(app, UserRole.Viewer);
        string token = CookieSignIn.AntiforgeryToken(await client.GetStringAsync("/"));

        // Act
        using var signOut = await client.PostAsync(AccountEndpoints.SignOutPath,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        using var after = await client.GetAsync("/api/status");

        // Assert
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task SignIn_PastTheFailedAttemptsForOneName_RefusedWith429EvenWithTheRightPassword()
    {
        // Arrange
        app.Services.GetRequiredService<UserAccounts>().Add("guessed", UserRole.Viewer, DeviseWebFactory.Password);
        using var client = app.CreateAnonymousClient();
        for (int i = 0; i < 10; i++)
            using (var wrong = await CookieSignIn.PostSignInAsync(client, "guessed", "guess " + i)) Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);

        // Act
        using var right = await CookieSignIn.PostSignInAsync(client, "guessed", DeviseWebFactory.Password);
        using var other = await CookieSignIn.PostSignInAsync(app.CreateAnonymousClient(), DeviseWebFactory.UserFor(UserRole.Viewer), DeviseWebFactory.Password);

        // Assert
        Assert.Equal((HttpStatusCode)429, right.StatusCode);
        Assert.True(int.Parse(right.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Contains("Too many failed sign-ins", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, other.StatusCode); // another name from the same address still signs in
    }
}

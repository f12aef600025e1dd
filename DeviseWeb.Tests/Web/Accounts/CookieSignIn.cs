using System.Net;
using System.Text.RegularExpressions;
using DeviseWeb.Accounts;
using DeviseWeb.Tests.Web.Integration;

namespace DeviseWeb.Tests.Web.Accounts;

/// <summary>Signs a client in through the real sign-in form (its antiforgery token included), as a browser would.</summary>
public static partial class CookieSignIn
{
    public static async Task<HttpClient> SignedInClientAsync(DeviseWebFactory app, UserRole role)
    {
        var client = app.CreateAnonymousClient();
        using var response = await PostSignInAsync(client, DeviseWebFactory.UserFor(role), DeviseWebFactory.Password);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    /// <summary>Posts the sign-in form with the token of a freshly loaded form; the answer is not followed.</summary>
    public static async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string name, string password, string path = "/signin")
    {
        string form = await client.GetStringAsync(path);
        return await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "signin",
            ["__RequestVerificationToken"] = AntiforgeryToken(form),
            ["Form.Name"] = name,
            ["Form.Password"] = password,
        }));
    }

    /// <summary>Where a redirect points, as a path and query (the app may write it absolute or relative).</summary>
    public static string PathOf(HttpResponseMessage response) =>
        new Uri(new Uri("http://localhost"), response.Headers.Location ?? throw new InvalidOperationException($"No redirect: {response.StatusCode}")).PathAndQuery;

    public static string AntiforgeryToken(string html) =>
        TokenInput().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("No antiforgery token in the form.");

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}

using System.Net;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>Every response, page or API, success or error, carries the security headers.</summary>
[Collection(WebSurfaceAppCollection.Name)]
public sealed class SecurityHeadersTests(WebSurfaceDeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/api/status", HttpStatusCode.OK)]
    [InlineData("/api/images/999999", HttpStatusCode.NotFound)]
    [InlineData("/css/devise.css", HttpStatusCode.OK)]
    [InlineData("/no-such-page", HttpStatusCode.NotFound)]
    public async Task Response_Any_CarriesTheSecurityHeaders(string url, HttpStatusCode expected)
    {
        // Act
        using var response = await _client.GetAsync(url);

        // Assert
        Assert.Equal(expected, response.StatusCode);
        string policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("object-src 'none'", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("same-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
    }

    [Fact]
    public async Task Page_ImportMap_CarriesTheNonceThePolicyAllows()
    {
        // Act
        using var response = await _client.GetAsync("/");
        string html = await response.Content.ReadAsStringAsync();

        // Assert
        string policy = response.Headers.GetValues("Content-Security-Policy").Single();
        var nonce = System.Text.RegularExpressions.Regex.Match(policy, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains($"<script type=\"importmap\" nonce=\"{nonce}\">", html, StringComparison.Ordinal);
    }
}

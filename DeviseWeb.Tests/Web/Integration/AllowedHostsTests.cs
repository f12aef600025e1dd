using System.Net;
using DeviseWeb.Security;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>A request naming a foreign host (DNS rebinding) is refused on every kind of endpoint, and nothing redirects to it.</summary>
[Collection(WebSurfaceAppCollection.Name)]
public sealed class AllowedHostsTests(WebSurfaceDeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient(new() { AllowAutoRedirect = false });

    [Theory]
    [InlineData("GET", "/")]
    [InlineData("GET", "/search?q=fish")]
    [InlineData("GET", "/api/status")]
    [InlineData("GET", "/api/search?q=fish")]
    [InlineData("POST", "/hubs/jobs/negotiate?negotiateVersion=1")]
    [InlineData("POST", "/_blazor/negotiate?negotiateVersion=1")]
    [InlineData("GET", "/openapi/v1.json")]
    public async Task Request_ForeignHost_Returns400(string method, string url)
    {
        // Arrange
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.Host = "evil.test";

        // Act
        using var response = await _client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Null(response.Headers.Location);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    public async Task Request_LocalHost_IsServed(string host)
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/status");
        request.Headers.Host = host;

        // Act
        using var response = await _client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public void Default_ListeningUrls_AddTheirHostsToLocalhost()
    {
        // Act
        var hosts = AllowedHostNames.Default("http://localhost:5080;http://team.example:8080");

        // Assert
        Assert.Equal(["localhost", "127.0.0.1", "[::1]", "team.example"], hosts);
    }

    [Fact]
    public void Default_WildcardAddress_AddsThisMachine()
    {
        // Act
        var hosts = AllowedHostNames.Default("http://0.0.0.0:5080");

        // Assert
        Assert.Contains(Environment.MachineName, hosts, StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain("0.0.0.0", hosts);
        Assert.DoesNotContain("*", hosts);
    }
}

using System.Net;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>What a person sees at a wrong address: a page of the app saying so, never an exception page.</summary>
[Collection(WebAppCollection.Name)]
public sealed class ErrorPageTests(DeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/image/not-a-number")]
    public async Task Page_UnknownAddress_Returns404WithFriendlyPage(string url)
    {
        // Act
        using var response = await _client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not found", html, StringComparison.OrdinalIgnoreCase);
        AssertAppLayoutWithoutExceptionDetails(html);
    }

    [Fact]
    public async Task ImagePage_UnknownId_SaysTheImageIsNotFound()
    {
        // Act
        using var response = await _client.GetAsync("/image/999999");
        var html = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound });
        Assert.Contains("data-testid=\"image-not-found\"", html, StringComparison.Ordinal);
        Assert.Contains("Image 999999 not found", html, StringComparison.Ordinal);
        AssertAppLayoutWithoutExceptionDetails(html);
    }

    private static void AssertAppLayoutWithoutExceptionDetails(string html)
    {
        Assert.Contains("href=\"search\"", html, StringComparison.Ordinal); // the app's own navigation
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Stack trace", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"\bat DeviseWeb\.|\bat Microsoft\.|\.cs:line \d+", html);
    }
}

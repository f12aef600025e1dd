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
    public async Task ImagePage_UnknownId_Returns404WithItsOwnNotFoundMessage()
    {
        // Act
        using var response = await _client.GetAsync("/image/999999");
        var html = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("data-testid=\"image-not-found\"", html, StringComparison.Ordinal);
        Assert.Contains("Image 999999 not found", html, StringComparison.Ordinal);
        AssertAppLayoutWithoutExceptionDetails(html);
    }

    [Fact]
    public async Task ImagePage_KnownId_Returns200()
    {
        // Arrange
        var image = (await ApiJson.ReadAsync<DeviseWeb.Engine.Gallery.ImagePage>(await _client.GetAsync("/api/images?take=1"))).Items[0];

        // Act
        using var response = await _client.GetAsync($"/image/{image.Id}");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data-testid=\"original-image\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/?page=abc", "gallery-query-problem", "page: &#x27;abc&#x27; is not a page number")]
    [InlineData("/?page=0", "gallery-query-problem", "page: &#x27;0&#x27; is not a page number")]
    [InlineData("/?split=sideways", "gallery-query-problem", "split: &#x27;sideways&#x27; is not one of")]
    [InlineData("/search?q=boat&k=abc", "search-error", "must be a whole number between 1 and")]
    public async Task Page_MalformedQueryParameter_Returns400WithTheFriendlyPageNamingIt(string url, string testId, string reason)
    {
        // Act
        using var response = await _client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"data-testid=\"{testId}\"", html, StringComparison.Ordinal);
        Assert.Contains(reason, html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"error-page\"", html, StringComparison.Ordinal);
        AssertAppLayoutWithoutExceptionDetails(html);
    }

    [Fact]
    public async Task GalleryPage_WellFormedQuery_Returns200()
    {
        // Act
        using var response = await _client.GetAsync("/?page=1&split=Train");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("gallery-query-problem", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static void AssertAppLayoutWithoutExceptionDetails(string html)
    {
        Assert.Contains("href=\"search\"", html, StringComparison.Ordinal); // the app's own navigation
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Stack trace", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(@"\bat DeviseWeb\.|\bat Microsoft\.|\.cs:line \d+", html);
    }
}

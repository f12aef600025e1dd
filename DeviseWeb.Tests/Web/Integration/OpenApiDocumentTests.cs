using System.Net;
using System.Text.Json;

namespace DeviseWeb.Tests.Web.Integration;

[Collection(WebAppCollection.Name)]
public sealed class OpenApiDocumentTests(DeviseWebFactory app)
{
    [Theory]
    [InlineData("/api/search", "get")]
    [InlineData("/api/search/image", "post")]
    [InlineData("/api/images", "get")]
    [InlineData("/api/images", "post")]
    [InlineData("/api/images/{id}", "get")]
    [InlineData("/api/images/{id}/keywords", "get")]
    [InlineData("/api/images/{id}/thumbnail", "get")]
    [InlineData("/api/images/{id}/file", "get")]
    [InlineData("/api/images/{id}", "delete")]
    [InlineData("/api/images/{id}", "patch")]
    [InlineData("/api/images", "patch")]
    [InlineData("/api/images/delete", "post")]
    [InlineData("/api/labels/rename", "post")]
    [InlineData("/api/search/batch", "post")]
    [InlineData("/api/training", "post")]
    [InlineData("/api/training", "get")]
    [InlineData("/api/jobs", "get")]
    [InlineData("/api/jobs/{id}", "get")]
    [InlineData("/api/jobs/{id}/cancel", "post")]
    [InlineData("/api/models", "get")]
    [InlineData("/api/models/{id}", "get")]
    [InlineData("/api/models/{id}/activate", "post")]
    [InlineData("/api/status", "get")]
    public async Task Document_Served_ListsTheRoute(string path, string method)
    {
        // Arrange
        using var client = app.CreateClient();

        // Act
        using var response = await client.GetAsync("/openapi/v1.json");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = document.RootElement.GetProperty("paths");
        var key = paths.EnumerateObject().Select(p => p.Name).FirstOrDefault(p => p.TrimEnd('/') == path);
        Assert.True(key is not null, $"{path} missing; listed: {string.Join(", ", paths.EnumerateObject().Select(p => p.Name))}");
        Assert.True(paths.GetProperty(key).TryGetProperty(method, out _), $"{method.ToUpperInvariant()} {path} missing");
    }
}

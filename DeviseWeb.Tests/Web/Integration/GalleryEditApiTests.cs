using System.Net;
using DeviseWeb.Api;
using DeviseWeb.Engine.Gallery;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>Deleting, relabelling and renaming through the API, on a gallery of its own (airplane, apple, dog and rabbit images).</summary>
[Collection(EditableWebAppCollection.Name)]
public sealed class GalleryEditApiTests(DeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    private async Task<ImagePage> ListAsync(string query) =>
        await ApiJson.ReadAsync<ImagePage>(await _client.GetAsync($"/api/images?take=1000&{query}"));

    private async Task<List<int>> IdsOfAsync(string label) => (await ListAsync($"label={Uri.EscapeDataString(label)}")).Items.Select(i => i.Id).ToList();

    private async Task<List<int>> SearchIdsAsync(string query) =>
        (await ApiJson.ReadAsync<SearchResponse>(await _client.GetAsync($"/api/search?{query}&k=1000"))).Hits.Select(h => h.Image.Id).ToList();

    [Fact]
    public async Task DeleteOne_KnownImage_Returns204AndItLeavesTheGalleryAndSearch()
    {
        // Arrange
        int id = (await IdsOfAsync("airplane"))[0];
        int before = (await ListAsync("")).Total;
        Assert.Contains(id, await SearchIdsAsync("q=airplane"));

        // Act
        using var response = await _client.DeleteAsync($"/api/images/{id}");

        // Assert
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(before - 1, (await ListAsync("")).Total);
        Assert.DoesNotContain(id, await SearchIdsAsync("q=airplane"));
        await ApiJson.ReadProblemAsync(await _client.GetAsync($"/api/images/{id}"), HttpStatusCode.NotFound);
        await ApiJson.ReadProblemAsync(await _client.GetAsync($"/api/images/{id}/thumbnail"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteOne_UnknownId_Returns404ProblemNamingIt()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.DeleteAsync("/api/images/999999"), HttpStatusCode.NotFound);

        // Assert
        Assert.Contains("999999", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteMany_KnownAndUnknownIds_DeletesTheKnownAndNamesTheRest()
    {
        // Arrange
        var dogs = (await IdsOfAsync("dog")).Take(3).ToList();
        int before = (await ListAsync("")).Total;

        // Act
        var result = await ApiJson.ReadAsync<DeleteResponse>(await ApiJson.PostJsonAsync(_client, "/api/images/delete", new ImageIds([.. dogs, 999999])));

        // Assert
        Assert.Equal(dogs.Order(), result.Deleted.Order());
        Assert.Equal([999999], result.NotFound);
        Assert.Equal(before - 3, (await ListAsync("")).Total);
        Assert.Empty((await SearchIdsAsync("q=dog")).Intersect(dogs));
    }

    [Theory]
    [InlineData("""{ "ids": [] }""", "ids:")]
    [InlineData("""{ "label": "x" }""", "ids:")]
    [InlineData("""{ "ids": "all" }""", "ImageIds")]
    public async Task DeleteMany_NoUsableIds_Returns400(string json, string reason)
    {
        // Act
        var response = await _client.PostAsync("/api/images/delete", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        Assert.Contains(reason, (await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteMany_MoreIdsThanTheLimit_Returns400AndDeletesNothing()
    {
        // Arrange
        int before = (await ListAsync("")).Total;
        var ids = Enumerable.Range(1, GalleryService.MaxPageSize + 1).ToList();

        // Act
        var problem = await ApiJson.ReadProblemAsync(await ApiJson.PostJsonAsync(_client, "/api/images/delete", new ImageIds(ids)), HttpStatusCode.BadRequest);

        // Assert
        Assert.Contains($"At most {GalleryService.MaxPageSize} images", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(before, (await ListAsync("")).Total);
    }

    [Fact]
    public async Task RelabelOne_NewLabel_ReturnsTheImageUnderItsStoredLabel()
    {
        // Arrange
        int id = (await IdsOfAsync("apple"))[0];

        // Act
        var image = await ApiJson.ReadAsync<ImageInfo>(await ApiJson.PatchJsonAsync(_client, $"/api/images/{id}", new LabelChange("  Green  Apple ")));

        // Assert
        Assert.Equal((id, "green apple"), (image.Id, image.Label));
        Assert.Equal([id], await IdsOfAsync("green apple"));
        Assert.DoesNotContain(id, await IdsOfAsync("apple"));
    }

    [Theory]
    [InlineData(999999, "apple", HttpStatusCode.NotFound, "999999")]
    [InlineData(0, "red, apple", HttpStatusCode.BadRequest, "contains a comma")]
    [InlineData(0, null, HttpStatusCode.BadRequest, "A label is required.")]
    public async Task RelabelOne_UnknownIdOrBadLabel_ReturnsAProblem(int id, string? label, HttpStatusCode status, string reason)
    {
        // Arrange: id 0 stands for a real apple image.
        if (id == 0) id = (await IdsOfAsync("apple")).Last();

        // Act
        var problem = await ApiJson.ReadProblemAsync(await ApiJson.PatchJsonAsync(_client, $"/api/images/{id}", new LabelChange(label)), status);

        // Assert
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RelabelMany_Ids_GivesEachTheNewLabel()
    {
        // Arrange
        var apples = (await IdsOfAsync("apple")).Take(2).ToList();

        // Act
        var result = await ApiJson.ReadAsync<RelabelResponse>(await ApiJson.PatchJsonAsync(_client, "/api/images", new BulkLabelChange(apples, "orchard fruit")));

        // Assert
        Assert.Equal(apples.Order(), result.Images.Select(i => i.Id).Order());
        Assert.All(result.Images, i => Assert.Equal("orchard fruit", i.Label));
        Assert.Equal(apples.Order(), (await IdsOfAsync("orchard fruit")).Order());
    }

    [Fact]
    public async Task RelabelMany_MoreIdsThanTheLimit_Returns400()
    {
        // Act
        var response = await ApiJson.PatchJsonAsync(_client, "/api/images", new BulkLabelChange(Enumerable.Range(1, GalleryService.MaxPageSize + 1).ToList(), "x"));

        // Assert
        Assert.Contains($"At most {GalleryService.MaxPageSize} images", (await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest)).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenameLabel_Existing_MovesEveryImageAndSearchFindsThemByTheNewName()
    {
        // Arrange
        var rabbits = await IdsOfAsync("rabbit");

        // Act
        var result = await ApiJson.ReadAsync<LabelRenameResponse>(await ApiJson.PostJsonAsync(_client, "/api/labels/rename", new LabelRename("rabbit", "Hare")));

        // Assert
        Assert.Equal(new LabelRenameResponse("rabbit", "hare", rabbits.Count), result);
        Assert.Empty(await IdsOfAsync("rabbit"));
        Assert.Equal(rabbits.Order(), (await IdsOfAsync("hare")).Order());
    }

    [Theory]
    [InlineData("no such label", "x", HttpStatusCode.NotFound, "No images are labelled 'no such label'")]
    [InlineData("dog", "", HttpStatusCode.BadRequest, "A label cannot be empty.")]
    public async Task RenameLabel_UnknownOrBadLabel_ReturnsAProblem(string from, string to, HttpStatusCode status, string reason)
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await ApiJson.PostJsonAsync(_client, "/api/labels/rename", new LabelRename(from, to)), status);

        // Assert
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
    }
}

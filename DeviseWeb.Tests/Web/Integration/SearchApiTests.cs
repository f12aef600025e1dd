using System.Net;
using System.Net.Http.Headers;
using DeviseWeb.Api;

namespace DeviseWeb.Tests.Web.Integration;

[Collection(WebAppCollection.Name)]
public sealed class SearchApiTests(DeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Search_LabelWords_ReturnsThatLabelsImagesBestFirst()
    {
        // Arrange: the template model was trained on "airplane" (8 of its images are in the gallery).

        // Act
        var result = await ApiJson.ReadAsync<SearchResponse>(await _client.GetAsync("/api/search?q=airplane&k=5"));

        // Assert
        Assert.Equal(5, result.Hits.Count);
        Assert.All(result.Hits, h => Assert.Equal("airplane", h.Image.Label));
        Assert.All(result.Hits, h => Assert.InRange(h.Score, -1f, 1.0001f));
        Assert.Equal(result.Hits.Select(h => h.Score).OrderDescending(), result.Hits.Select(h => h.Score));
        Assert.Equal($"/search?q=airplane&k=5&model={result.ModelId}", result.Link);
    }

    [Fact]
    public async Task Search_MinimumScore_LeavesOutLowerScores()
    {
        // Arrange
        var all = await ApiJson.ReadAsync<SearchResponse>(await _client.GetAsync("/api/search?q=moon&k=30"));
        float cutoff = all.Hits[5].Score;

        // Act
        var result = await ApiJson.ReadAsync<SearchResponse>(await _client.GetAsync(
            $"/api/search?q=moon&k=30&min={cutoff.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}"));

        // Assert
        Assert.Equal(all.Hits.Take(6).Select(h => h.Image.Id), result.Hits.Select(h => h.Image.Id));
    }

    [Theory]
    [InlineData("/api/search?q=dog&k=0", "k:")]
    [InlineData("/api/search?q=dog&k=many", "k:")]
    [InlineData("/api/search?q=&k=5", "Empty query")]
    [InlineData("/api/search?q=dog&min=2", "min:")]
    [InlineData("/api/search?img=abc", "img:")]
    public async Task Search_MalformedQuery_Returns400NamingTheProblem(string url, string reason)
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.GetAsync(url), HttpStatusCode.BadRequest);

        // Assert
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_UnknownModelVersion_Returns404()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.GetAsync("/api/search?q=dog&model=9999"), HttpStatusCode.NotFound);

        // Assert
        Assert.Contains("9999", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchImage_PhotoOfSeenLabel_FindsThatLabelFirst()
    {
        // Arrange: a rabbit photo that is not in the gallery.
        using var form = new MultipartFormDataContent();
        form.Add(ImageContent(WebTestData.NewImagePath(1)), "file", "rabbit.png");
        form.Add(new StringContent("5"), "k");

        // Act
        var result = await ApiJson.ReadAsync<ImageSearchResponse>(await _client.PostAsync("/api/search/image", form));

        // Assert
        Assert.Equal(5, result.Hits.Count);
        Assert.Equal("rabbit", result.Hits[0].Image.Label);
        Assert.Matches("^[0-9a-f]{64}$", result.Reference);
        Assert.Contains($"ref={result.Reference}", result.Link, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchImage_NotMultipart_Returns400AskingForMultipart()
    {
        // Act
        var response = await _client.PostAsync("/api/search/image", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("multipart/form-data", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchImage_NotAnImage_Returns400NamingTheFile()
    {
        // Arrange
        using var form = new MultipartFormDataContent();
        var text = new ByteArrayContent("just some words, not pixels"u8.ToArray());
        text.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(text, "file", "notes.png");

        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.PostAsync("/api/search/image", form), HttpStatusCode.BadRequest);

        // Assert
        Assert.Contains("notes.png", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchBatch_WordsAndAnImage_ReturnsOneResultListPerQueryInOrder()
    {
        // Arrange
        var penguin = (await ApiJson.ReadAsync<DeviseWeb.Engine.Gallery.ImagePage>(await _client.GetAsync("/api/images?label=penguin&take=1"))).Items[0];
        var body = new BatchSearchRequest([new BatchQuery(["airplane"], null, null, 3, null), new BatchQuery(null, [penguin.Id], null, 4, null)], null);

        // Act
        var batch = await ApiJson.ReadAsync<BatchSearchResponse>(await ApiJson.PostJsonAsync(_client, "/api/search/batch", body));

        // Assert
        Assert.Equal(2, batch.Results.Count);
        Assert.Equal(3, batch.Results[0].Hits.Count);
        Assert.All(batch.Results[0].Hits, h => Assert.Equal("airplane", h.Image.Label));
        Assert.Equal($"/search?q=airplane&k=3&model={batch.ModelId}", batch.Results[0].Link);
        Assert.Equal(4, batch.Results[1].Hits.Count);
        Assert.DoesNotContain(penguin.Id, batch.Results[1].Hits.Select(h => h.Image.Id));
        Assert.Equal($"/search?img={penguin.Id}&k=4&model={batch.ModelId}", batch.Results[1].Link);
    }

    [Fact]
    public async Task SearchBatch_SameAsOneByOne_GivesTheSameHits()
    {
        // Arrange
        var single = await ApiJson.ReadAsync<SearchResponse>(await _client.GetAsync("/api/search?q=moon&k=5"));

        // Act
        var batch = await ApiJson.ReadAsync<BatchSearchResponse>(await ApiJson.PostJsonAsync(_client, "/api/search/batch",
            new BatchSearchRequest([new BatchQuery(["moon"], null, null, 5, null)], single.ModelId)));

        // Assert
        Assert.Equal(single.Hits.Select(h => h.Image.Id), batch.Results[0].Hits.Select(h => h.Image.Id));
    }

    [Theory]
    [InlineData("""{ "queries": [] }""", HttpStatusCode.BadRequest, "A batch holds 1 to")]
    [InlineData("""{ "queries": [ { "q": ["dog"], "k": 0 } ] }""", HttpStatusCode.BadRequest, "k must be between 1 and")]
    [InlineData("""{ "queries": [ { "img": [999999] } ] }""", HttpStatusCode.NotFound, "999999")]
    [InlineData("""{ "queries": [ { "q": ["dog"] } ], "model": 9999 }""", HttpStatusCode.NotFound, "9999")]
    [InlineData("""{ "queries": "dog" }""", HttpStatusCode.BadRequest, "BatchSearchRequest")]
    public async Task SearchBatch_BadRequest_ReturnsAProblemNamingIt(string json, HttpStatusCode status, string reason)
    {
        // Act
        var response = await _client.PostAsync("/api/search/batch", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, status);
        Assert.Contains(reason, problem.Detail, StringComparison.Ordinal);
    }

    internal static ByteArrayContent ImageContent(string path)
    {
        var content = new ByteArrayContent(File.ReadAllBytes(path));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }
}

using System.Net;
using System.Net.Http.Headers;
using DeviseWeb.Api;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Web.Integration;

[Collection(WebAppCollection.Name)]
public sealed class ImagesApiTests(DeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task GetImage_UnknownId_Returns404ProblemNamingTheId()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.GetAsync("/api/images/999999"), HttpStatusCode.NotFound);

        // Assert
        Assert.Contains("999999", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ByLabel_ReturnsOnlyThatLabelPaged()
    {
        // Arrange
        int dogs = Directory.GetFiles(Path.Combine(Tests.Infrastructure.TestData.DemoDirectory, "dog")).Length;

        // Act
        var page = await ApiJson.ReadAsync<ImagePage>(await _client.GetAsync("/api/images?label=dog&skip=1&take=3"));

        // Assert
        Assert.Equal(dogs, page.Total);
        Assert.Equal(3, page.Items.Count);
        Assert.All(page.Items, i => Assert.Equal("dog", i.Label));
    }

    [Fact]
    public async Task List_UnknownSplit_Returns400NamingSplit()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.GetAsync("/api/images?split=sideways"), HttpStatusCode.BadRequest);

        // Assert
        Assert.StartsWith("split:", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_TakeOverThePageSize_Returns400NamingTake()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.GetAsync($"/api/images?take={GalleryService.MaxPageSize + 1}"), HttpStatusCode.BadRequest);

        // Assert
        Assert.Equal($"take: '{GalleryService.MaxPageSize + 1}' must be a whole number between 1 and {GalleryService.MaxPageSize}.", problem.Detail);
    }

    [Fact]
    public async Task List_LabelThatBreaksTheRule_Returns400WithTheEnginesReason()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.GetAsync("/api/images?label=a,b"), HttpStatusCode.BadRequest);

        // Assert
        Assert.Contains("contains a comma", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keywords_UnknownImage_Returns404()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.GetAsync("/api/images/999999/keywords"), HttpStatusCode.NotFound);

        // Assert
        Assert.Contains("999999", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Thumbnail_KnownImage_IsCacheableJpegWithEtag()
    {
        // Arrange
        int id = (await FirstImageAsync("clock")).Id;

        // Act
        using var response = await _client.GetAsync($"/api/images/{id}/thumbnail");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/images/{id}/thumbnail");
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        using var revalidated = await _client.SendAsync(again);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, bytes[..3]);
        Assert.True(response.Headers.CacheControl is { Public: true, MaxAge.TotalSeconds: > 0 }, $"Cache-Control: {response.Headers.CacheControl}");
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
    }

    [Fact]
    public async Task Thumbnail_UnknownId_Returns404()
    {
        // Act
        using var response = await _client.GetAsync("/api/images/999999/thumbnail");

        // Assert
        await ApiJson.ReadProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Original_KnownImage_ReturnsTheStoredBytes()
    {
        // Arrange
        var image = await FirstImageAsync("penguin");
        var expected = await File.ReadAllBytesAsync(Path.Combine(Tests.Infrastructure.TestData.DemoDirectory, "penguin", image.FileName));

        // Act
        using var response = await _client.GetAsync($"/api/images/{image.Id}/file");

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(expected, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Keywords_AirplaneImage_IncludeItsLabel()
    {
        // Arrange
        int id = (await FirstImageAsync("airplane")).Id;

        // Act
        var keywords = await ApiJson.ReadAsync<List<KeywordHit>>(await _client.GetAsync($"/api/images/{id}/keywords?k=5"));

        // Assert
        Assert.Equal(5, keywords.Count);
        Assert.Contains("airplane", keywords.Select(k => k.Word));
    }

    [Fact]
    public async Task Upload_RealPhoto_IsFoundAtOnceBySearchingItsLabel()
    {
        // Arrange: an apple photo that is not in the gallery yet.
        using var form = new MultipartFormDataContent();
        form.Add(SearchApiTests.ImageContent(WebTestData.NewImagePath(0)), "files", "my-apple.png");
        form.Add(new StringContent("apple"), "label");

        // Act
        var upload = await ApiJson.ReadAsync<UploadResponse>(await _client.PostAsync("/api/images", form));
        var search = await ApiJson.ReadAsync<SearchResponse>(await _client.GetAsync("/api/search?q=apple&k=10"));

        // Assert
        var added = Assert.Single(upload.Files);
        Assert.Equal(ImportOutcome.Added, added.Outcome);
        Assert.Equal("apple", added.Image!.Label);
        Assert.Contains(added.Image.Id, search.Hits.Select(h => h.Image.Id));
    }

    [Fact]
    public async Task Upload_EvaluationField_MarksTheImagesEvaluationOnly()
    {
        // Arrange: a demo image from a label the template does not hold, so it is new content.
        var label = Directory.GetDirectories(Tests.Infrastructure.TestData.DemoDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal)
            .First(l => !WebTestData.Labels.Contains(l!))!;
        using var form = new MultipartFormDataContent();
        form.Add(SearchApiTests.ImageContent(Directory.GetFiles(Path.Combine(Tests.Infrastructure.TestData.DemoDirectory, label)).Order(StringComparer.Ordinal).First()), "files", "held-back.png");
        form.Add(new StringContent("true"), "evaluation");

        // Act
        var upload = await ApiJson.ReadAsync<UploadResponse>(await _client.PostAsync("/api/images", form));
        var evaluation = await ApiJson.ReadAsync<ImagePage>(await _client.GetAsync("/api/images?split=Evaluation&take=1000"));

        // Assert
        var added = Assert.Single(upload.Files);
        Assert.Equal((ImportOutcome.Added, SplitKind.Evaluation), (added.Outcome, added.Image!.Split));
        Assert.Contains(added.Image.Id, evaluation.Items.Select(i => i.Id));
        Assert.All(evaluation.Items, i => Assert.Equal(SplitKind.Evaluation, i.Split));
    }

    [Fact]
    public async Task Upload_EvaluationFieldNotTrueOrFalse_Returns400NamingTheField()
    {
        using var form = new MultipartFormDataContent();
        form.Add(SearchApiTests.ImageContent(WebTestData.NewImagePath(0)), "files", "apple.png");
        form.Add(new StringContent("maybe"), "evaluation");

        var problem = await ApiJson.ReadProblemAsync(await _client.PostAsync("/api/images", form), HttpStatusCode.BadRequest);

        Assert.Equal("Form field 'evaluation' must be true or false (got 'maybe').", problem.Detail);
    }

    [Fact]
    public async Task Upload_NotAnImage_Returns400NamingTheFile()
    {
        // Arrange
        using var form = new MultipartFormDataContent();
        var text = new ByteArrayContent("hello, I am a text file"u8.ToArray());
        text.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(text, "files", "notes.jpg");

        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.PostAsync("/api/images", form), HttpStatusCode.BadRequest);

        // Assert
        Assert.StartsWith("notes.jpg:", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_NotMultipart_Returns400AskingForMultipart()
    {
        // Act
        var response = await _client.PostAsync("/api/images", new StringContent("[]", System.Text.Encoding.UTF8, "application/json"));

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("multipart/form-data", problem.Detail, StringComparison.Ordinal);
    }

    private async Task<ImageInfo> FirstImageAsync(string label) =>
        (await ApiJson.ReadAsync<ImagePage>(await _client.GetAsync($"/api/images?label={label}&take=1"))).Items[0];
}

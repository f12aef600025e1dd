using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DeviseWeb.Api;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Services;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>Each request limit crossed by a little, against the app with small limits: what the client is told, and what is kept.</summary>
[Collection(LimitedWebAppCollection.Name)]
public sealed class RequestLimitsTests(LimitedDeviseWebFactory app)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    // No redirect handler: it buffers a request body whole before sending it, and the slow-client tests need it streamed.
    private readonly HttpClient _client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    [Fact]
    public async Task JsonEndpoint_BodyOverTheLimit_Returns413ProblemNamingTheLimit()
    {
        // Arrange: a well-formed body, just too long.
        string json = $$"""{ "ids": [{{string.Join(",", Enumerable.Repeat("1", LimitedDeviseWebFactory.MaxJsonBodyBytes))}}] }""";

        // Act
        var response = await _client.PostAsync("/api/images/delete", new StringContent(json, Encoding.UTF8, "application/json"));

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("1 KB limit", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonEndpoint_ChunkedBodyOverTheLimit_Returns413Problem()
    {
        // Arrange: no Content-Length, so the limit can only be found by reading.
        var body = new UnknownLengthContent(Encoding.UTF8.GetBytes(new string(' ', 2 * LimitedDeviseWebFactory.MaxJsonBodyBytes) + "{}"));

        // Act
        var response = await _client.PostAsync("/api/images/delete", body);

        // Assert
        await ApiJson.ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task JsonEndpoint_ChunkedBodyWithinTheLimit_IsStillRead()
    {
        // Arrange
        var body = new UnknownLengthContent("""{ "ids": [999999] }"""u8.ToArray());

        // Act
        var result = await ApiJson.ReadAsync<DeleteResponse>(await _client.PostAsync("/api/images/delete", body));

        // Assert
        Assert.Equal(999999, Assert.Single(result.NotFound));
    }

    [Fact]
    public async Task Upload_MoreFilesThanTheSetting_Returns400NamingTheSetting()
    {
        // Arrange
        using var form = new MultipartFormDataContent();
        for (int i = 0; i <= LimitedDeviseWebFactory.MaxFilesPerRequest; i++)
            form.Add(SearchApiTests.ImageContent(WebTestData.NewImagePath(0)), "files", $"copy-{i}.png");
        int before = GalleryCount();

        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.PostAsync("/api/images", form), HttpStatusCode.BadRequest);

        // Assert
        Assert.Contains($"At most {LimitedDeviseWebFactory.MaxFilesPerRequest} files per request", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("Devise:Limits:MaxFilesPerRequest", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(before, GalleryCount());
    }

    [Fact]
    public async Task Upload_OneFileOverThePerFileLimit_RejectsItAndImportsTheOthers()
    {
        // Arrange: a real image over the limit (never decoded), then one within it; the label comes last, so the
        // files are read before it is known.
        var big = await File.ReadAllBytesAsync(WebTestData.NewImagePath(1));
        Assert.True(big.Length > LimitedDeviseWebFactory.MaxFileBytes, "the test image must be over the limit");
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(big), "files", "big.png");
        form.Add(UniquePng.Content(), "files", "small.png");
        form.Add(new StringContent("apple"), "label");

        // Act
        var result = await ApiJson.ReadAsync<UploadResponse>(await _client.PostAsync("/api/images", form));

        // Assert
        Assert.Equal(ImportOutcome.Rejected, result.Files[0].Outcome);
        Assert.Equal($"larger than the 16 KB limit ({DeviseWeb.Services.ByteSize.Format(big.Length)})", result.Files[0].Reason);
        Assert.Equal(ImportOutcome.Added, result.Files[1].Outcome);
        Assert.Equal("apple", result.Files[1].Image!.Label);
    }

    [Fact]
    public async Task SearchImage_PhotoOverThePerFileLimit_Returns400NamingIt()
    {
        // Arrange
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(new byte[3 * LimitedDeviseWebFactory.MaxFileBytes]), "file", "huge.png");

        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.PostAsync("/api/search/image", form), HttpStatusCode.BadRequest);

        // Assert
        Assert.Equal("huge.png: larger than the 16 KB limit (48 KB).", problem.Detail);
    }

    [Theory]
    [InlineData("/api/images", "files")]
    [InlineData("/api/search/image", "file")]
    public async Task ImageEndpoint_WhileOneIsInFlight_AnswersTheNext429WithRetryAfter(string url, string field)
    {
        // Arrange: a slow client holds the only permit, with its body half sent.
        using var form = new MultipartFormDataContent();
        form.Add(UniquePng.Content(), field, "slow.png");
        var slow = await GatedContent.FromAsync(form);
        var writes = app.Services.GetRequiredService<InFlightWrites>();
        int before = writes.Count;
        var held = _client.PostAsync(url, slow);
        await WaitUntilAsync(() => writes.Count > before);

        // Act
        using var second = new MultipartFormDataContent();
        second.Add(UniquePng.Content(), field, "eager.png");
        var response = await _client.PostAsync(url, second);

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal<TimeSpan?>(TimeSpan.FromSeconds(LimitedDeviseWebFactory.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        Assert.Contains("try again", problem.Detail, StringComparison.Ordinal);
        slow.Open();
        var first = await held.WaitAsync(Guard);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
    }

    private int GalleryCount() => app.Services.GetRequiredService<GalleryService>().Count;

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Guard;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the slow request never reached the server");
            await Task.Delay(20);
        }
    }

    /// <summary>A JSON body that does not say how long it is (as a chunked upload would not).</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnknownLengthContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

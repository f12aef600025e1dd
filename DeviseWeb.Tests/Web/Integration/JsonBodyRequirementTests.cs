using System.Net;
using System.Net.Http.Headers;
using DeviseWeb.Engine.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>JSON endpoints answer 415 to any other body, even an empty one, and start nothing.</summary>
[Collection(WebSurfaceAppCollection.Name)]
public sealed class JsonBodyRequirementTests(WebSurfaceDeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    private int JobCount => app.Services.GetRequiredService<JobQueue>().Recent(200).Count;

    [Theory]
    [InlineData("/api/training", "text/plain", "{\"epochs\": 1}")]
    [InlineData("/api/training", "text/plain", "")]
    [InlineData("/api/training", "application/x-www-form-urlencoded", "epochs=1")]
    [InlineData("/api/models/1/activate", "text/plain", "")]
    [InlineData("/api/search/batch", "text/plain", "{\"queries\": []}")]
    [InlineData("/api/labels/rename", "application/x-www-form-urlencoded", "from=a&to=b")]
    public async Task Post_NotJson_Returns415AndStartsNoJob(string url, string contentType, string body)
    {
        // Arrange
        int jobsBefore = JobCount;
        var content = new StringContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        // Act
        using var response = await _client.PostAsync(url, content);

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(jobsBefore, JobCount);
    }

    [Fact]
    public async Task Post_NoBodyNoContentType_ReachesTheEndpoint()
    {
        // Act: how a script cancels a job.
        using var response = await _client.PostAsync("/api/jobs/no-such-job/cancel", null);

        // Assert
        await ApiJson.ReadProblemAsync(response, HttpStatusCode.NotFound);
    }
}

using System.Net;
using System.Net.Http.Headers;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// What another site's page can make a browser send: a form post, a no-cors fetch with no body or a text/plain one,
/// a hub connection. Each is refused before it does anything, and no job starts.
/// </summary>
[Collection(WebSurfaceAppCollection.Name)]
public sealed class CrossSiteRequestTests(WebSurfaceDeviseWebFactory app)
{
    private const string ForeignOrigin = "http://evil.test";
    private readonly HttpClient _client = app.CreateClient();

    private JobQueue Jobs => app.Services.GetRequiredService<JobQueue>();

    private int JobCount => Jobs.Recent(200).Count;

    [Theory]
    [InlineData("/api/training")]
    [InlineData("/api/models/1/activate")]
    [InlineData("/api/jobs/no-such-job/cancel")]
    public async Task Post_NoCorsFetchFromAnotherSite_Returns403AndStartsNoJob(string url)
    {
        // Arrange: what fetch(url, {method: 'POST', mode: 'no-cors'}) sends: no body, no content type.
        int jobsBefore = JobCount;
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Add("Origin", ForeignOrigin);
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Sec-Fetch-Mode", "no-cors");

        // Act
        using var response = await _client.SendAsync(request);

        // Assert
        await ApiJson.ReadProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(jobsBefore, JobCount);
    }

    [Fact]
    public async Task Post_TextPlainBodyFromAnotherSite_Returns403AndStartsNoJob()
    {
        // Arrange: a no-cors fetch may carry text/plain; older browsers omit Sec-Fetch-Site, so only Origin says where it came from.
        int jobsBefore = JobCount;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/training") { Content = new StringContent("{\"epochs\": 1}") };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        request.Headers.Add("Origin", ForeignOrigin);

        // Act
        using var response = await _client.SendAsync(request);

        // Assert
        await ApiJson.ReadProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(jobsBefore, JobCount);
    }

    [Fact]
    public async Task Upload_FormPostFromAnotherSite_Returns403AndAddsNothing()
    {
        // Arrange: an HTML form on another site posting multipart to the hand-read upload endpoint.
        var gallery = app.Services.GetRequiredService<GalleryService>();
        int imagesBefore = gallery.Summary().ImageCount;
        using var form = new MultipartFormDataContent { { UniquePng.Content(), "files", "x.png" }, { new StringContent("forged"), "label" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/images") { Content = form };
        request.Headers.Add("Origin", ForeignOrigin);
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        // Act
        using var response = await _client.SendAsync(request);

        // Assert
        await ApiJson.ReadProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(imagesBefore, gallery.Summary().ImageCount);
    }

    [Theory]
    [InlineData("/hubs/jobs/negotiate?negotiateVersion=1", "POST")]
    [InlineData("/hubs/jobs?id=abc", "GET")]
    [InlineData("/_blazor/negotiate?negotiateVersion=1", "POST")]
    public async Task Hub_ConnectionFromAnotherOrigin_Returns403(string url, string method)
    {
        // Arrange
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        request.Headers.Add("Origin", ForeignOrigin);

        // Act
        using var response = await _client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Hub_NegotiateFromThisOrigin_IsServed()
    {
        // Arrange
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/jobs/negotiate?negotiateVersion=1");
        request.Headers.Add("Origin", "http://localhost");
        request.Headers.Add("Sec-Fetch-Site", "same-origin");

        // Act
        using var response = await _client.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Post_FromThisOrigin_ReachesTheEndpoint()
    {
        // Arrange: the app's own page (or a script, which sends no Origin) is not refused.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs/no-such-job/cancel");
        request.Headers.Add("Origin", "http://localhost");

        // Act
        using var response = await _client.SendAsync(request);

        // Assert
        await ApiJson.ReadProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("http://localhost", "localhost", true)]
    [InlineData("http://localhost:5080", "localhost:5080", true)]
    [InlineData("https://team.example", "team.example", true)]
    [InlineData("http://[::1]:5080", "[::1]:5080", true)]
    [InlineData("http://localhost:5081", "localhost:5080", false)]
    [InlineData("http://evil.test", "localhost", false)]
    [InlineData("null", "localhost", false)]
    public void OriginMatchesHost_Cases(string origin, string host, bool expected) =>
        Assert.Equal(expected, DeviseWeb.Security.CrossSiteRequestMiddleware.OriginMatchesHost(origin, new Microsoft.AspNetCore.Http.HostString(host)));
}

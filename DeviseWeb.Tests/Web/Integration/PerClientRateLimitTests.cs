using DeviseWeb.Accounts;
using System.Net;
using System.Text;
using DeviseWeb.Engine.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// Each signed-in user (or, signed out, each address) has a per-minute budget for searches, training requests and
/// uploads: past it, 429 with Retry-After, while another user at the same address is still served.
/// </summary>
[Collection(WebSurfaceAppCollection.Name)]
public sealed class PerClientRateLimitTests(WebSurfaceDeviseWebFactory app)
{
    private const int Budget = WebSurfaceDeviseWebFactory.PerMinute;

    [Fact]
    public async Task Search_PastTheBudget_Returns429WithRetryAfterAndServesAnotherUserAtTheSameAddress()
    {
        // Arrange
        var client = IPAddress.Parse("10.0.0.1");
        for (int i = 0; i < Budget; i++)
            Assert.Equal(200, (await app.SendFromAsync(client, "GET", "/api/search?q=dog&k=1", role: UserRole.Viewer)).Response.StatusCode);

        // Act
        var refused = await app.SendFromAsync(client, "GET", "/api/search?q=dog&k=1", role: UserRole.Viewer);
        var other = await app.SendFromAsync(client, "GET", "/api/search?q=dog&k=1", role: UserRole.Editor);

        // Assert
        Assert.Equal(429, refused.Response.StatusCode);
        Assert.True(int.Parse(refused.Response.Headers.RetryAfter.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal(200, other.Response.StatusCode);
    }

    [Fact]
    public async Task Training_PastTheBudget_Returns429AndStartsNoJob()
    {
        // Arrange: cancelling unknown jobs spends the training budget without starting anything.
        var client = IPAddress.Parse("10.0.0.3");
        for (int i = 0; i < Budget; i++)
            Assert.Equal(404, (await app.SendFromAsync(client, "POST", "/api/jobs/no-such-job/cancel")).Response.StatusCode);
        var jobs = app.Services.GetRequiredService<JobQueue>();
        int jobsBefore = jobs.Recent(200).Count;

        // Act
        var refused = await app.SendFromAsync(client, "POST", "/api/training", "application/json", Encoding.UTF8.GetBytes("{\"epochs\": 1}"));

        // Assert
        Assert.Equal(429, refused.Response.StatusCode);
        Assert.Equal(jobsBefore, jobs.Recent(200).Count);
    }

    [Fact]
    public async Task Upload_PastTheBudget_Returns429()
    {
        // Arrange: an upload with no multipart body is a cheap 400 that still counts.
        var client = IPAddress.Parse("10.0.0.4");
        for (int i = 0; i < Budget; i++)
            Assert.Equal(400, (await app.SendFromAsync(client, "POST", "/api/images", "text/plain", [1])).Response.StatusCode);

        // Act
        var refused = await app.SendFromAsync(client, "POST", "/api/images", "text/plain", [1]);

        // Assert
        Assert.Equal(429, refused.Response.StatusCode);
        Assert.False(string.IsNullOrEmpty(refused.Response.Headers.RetryAfter));
    }

}

using System.Net;
using DeviseWeb.Accounts;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Health;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary><c>GET /metrics</c>: Prometheus text for an Admin's key; the requests, jobs, gallery and index it describes.</summary>
public sealed class MetricsTests : IAsyncLifetime
{
    // A host of its own: the scrape reads this host's meter provider from its first request on.
    private readonly DeviseWebFactory app = new();

    public Task InitializeAsync() => ((IAsyncLifetime)app).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)app).DisposeAsync();

    [Fact]
    public async Task Metrics_AsAnAdminAfterRequestsAndAJob_DescribeThemAndTheGalleryInPrometheusText()
    {
        using var admin = app.CreateClientFor(UserRole.Admin);
        (await admin.GetAsync("/api/search?q=dog&k=3")).EnsureSuccessStatusCode();
        var queue = app.Services.GetRequiredService<JobQueue>();
        var job = queue.Enqueue(new JobRequest { Kind = JobKind.Evaluation, ModelId = app.Services.GetRequiredService<ModelService>().ActiveModelId });
        Assert.Equal(JobState.Finished, (await queue.WaitAsync(job.Id).WaitAsync(TimeSpan.FromMinutes(2))).State);

        using var response = await admin.GetAsync(MetricsEndpoint.Path);
        string text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var requests = string.Join("\n", text.Split('\n').Where(l => l.StartsWith("http_server_request_duration_seconds_count", StringComparison.Ordinal)));
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(requests, @"http_route=""/api/search/""[^}]*\} [1-9]"),
            $"no count of searches among the request metrics:\n{requests}\n(families: {string.Join(", ", text.Split('\n').Where(l => l.StartsWith("# TYPE", StringComparison.Ordinal)))})");
        Assert.Matches(@"devise_job_duration_seconds_count\{[^}]*kind=""Evaluation""[^}]*state=""Finished""[^}]*\} [1-9]", text);
        Assert.Matches(@"devise_gallery_images(_ratio)?\{[^}]*\} [1-9]\d*", text);
        Assert.Matches(@"devise_index_vectors\{[^}]*column=""embeddings""[^}]*\} [1-9]\d*", text);
        Assert.Matches(@"devise_index_memory_bytes\{[^}]*column=""features""[^}]*\} [1-9]\d*", text);
    }
}

using System.Net;
using DeviseWeb.Accounts;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Health;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary><c>GET /metrics</c>: Prometheus text for an Admin's key; the requests, jobs, gallery and index it describes.</summary>
[Collection(WebAppCollection.Name)]
public sealed class MetricsTests(DeviseWebFactory app)
{
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
        Assert.Matches(@"http_server_request_duration_seconds_count\{[^}]*http_route=""/api/search/""[^}]*\} [1-9]", text);
        Assert.Matches(@"devise_job_duration_seconds_count\{[^}]*kind=""Evaluation""[^}]*state=""Finished""[^}]*\} [1-9]", text);
        Assert.Matches(@"devise_gallery_images(_ratio)?\{[^}]*\} [1-9]\d*", text);
        Assert.Matches(@"devise_index_vectors\{[^}]*column=""embeddings""[^}]*\} [1-9]\d*", text);
        Assert.Matches(@"devise_index_memory_bytes\{[^}]*column=""features""[^}]*\} [1-9]\d*", text);
    }
}

using System.Net;
using DeviseWeb.Api;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>Training and activation as jobs on the app's queue, and the jobs themselves.</summary>
[Collection(WebAppCollection.Name)]
public sealed class JobsApiTests(DeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    /// <summary>Far too long to end by itself during a test; never activated, and cancelled before it saves anything.</summary>
    private static readonly TrainingOptions LongRun = new() { Epochs = 10_000, HeldOutLabelCount = 0, Activate = false };

    private JobQueue Jobs => app.Services.GetRequiredService<JobQueue>();

    [Fact]
    public async Task StartTraining_WhileAnotherRuns_QueuesItBehind()
    {
        // Arrange
        var running = await ApiJson.ReadAsync<JobInfo>(await ApiJson.PostJsonAsync(_client, "/api/training", LongRun), HttpStatusCode.Accepted);
        try
        {
            // Act
            var response = await ApiJson.PostJsonAsync(_client, "/api/training", LongRun with { Epochs = 1 });
            var second = await ApiJson.ReadAsync<JobInfo>(response, HttpStatusCode.Accepted);

            // Assert
            Assert.Equal($"/api/jobs/{second.Id}", response.Headers.Location?.OriginalString);
            Assert.Equal((JobKind.Training, JobState.Queued), (second.Kind, second.State));
            var overview = await ApiJson.ReadAsync<TrainingOverview>(await _client.GetAsync("/api/training"));
            Assert.Equal(running.Id, overview.Current?.Id);
            Assert.Equal([second.Id, running.Id], overview.Jobs.Take(2).Select(j => j.Id));
            Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsync($"/api/jobs/{second.Id}/cancel", null)).StatusCode);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsync($"/api/jobs/{running.Id}/cancel", null)).StatusCode);
            await Jobs.WaitAsync(running.Id);
        }
        var ended = await ApiJson.ReadAsync<JobInfo>(await _client.GetAsync($"/api/jobs/{running.Id}"));
        Assert.Equal(JobState.Cancelled, ended.State);
    }

    [Fact]
    public async Task StartTraining_InvalidOptions_Returns400WithTheReason()
    {
        // Act
        var response = await ApiJson.PostJsonAsync(_client, "/api/training", new TrainingOptions { Epochs = 0 });

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Epochs must be between", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartTraining_BodyNotJson_Returns400()
    {
        // Act
        var response = await _client.PostAsync("/api/training", new StringContent("epochs=3", System.Text.Encoding.UTF8, "application/json"));

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("TrainingOptions JSON", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Evaluate_ActiveVersion_Returns202WithAJobWhoseFiguresAreKeptWithTheVersion()
    {
        // Arrange
        int active = app.Services.GetRequiredService<ModelService>().ActiveModelId!.Value;

        // Act
        var response = await _client.PostAsync($"/api/models/{active}/evaluate", null);
        var job = await ApiJson.ReadAsync<JobInfo>(response, HttpStatusCode.Accepted);
        await Jobs.WaitAsync(job.Id);

        // Assert
        Assert.Equal($"/api/jobs/{job.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal((JobKind.Evaluation, active), (job.Kind, job.Request.ModelId));
        var ended = await ApiJson.ReadAsync<JobInfo>(await _client.GetAsync($"/api/jobs/{job.Id}"));
        Assert.Equal(JobState.Finished, ended.State);
        var model = await ApiJson.ReadAsync<ModelVersionInfo>(await _client.GetAsync($"/api/models/{active}"));
        Assert.InRange((model.Evaluation!.EvaluatedUtc!.Value - ended.Result!.Evaluation!.EvaluatedUtc!.Value).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.True(model.Evaluation.PhotoExactPrecisionAt5!.Value > 2 * model.Evaluation.PhotoExactPrecisionAt5.Chance);
    }

    [Fact]
    public async Task Evaluate_UnknownVersion_Returns404()
    {
        var problem = await ApiJson.ReadProblemAsync(await _client.PostAsync("/api/models/999/evaluate", null), HttpStatusCode.NotFound);

        Assert.Contains("999", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJob_UnknownId_Returns404()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.GetAsync("/api/jobs/no-such-job"), HttpStatusCode.NotFound);

        // Assert
        Assert.Contains("no-such-job", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_UnknownJob_Returns404AndAnEndedOne409()
    {
        // Arrange: the template's import job ended long ago.
        var finished = (await ApiJson.ReadAsync<List<JobInfo>>(await _client.GetAsync("/api/jobs?kind=Import"))).Last();

        // Act
        var unknown = await ApiJson.ReadProblemAsync(await _client.PostAsync("/api/jobs/no-such-job/cancel", null), HttpStatusCode.NotFound);
        var ended = await ApiJson.ReadProblemAsync(await _client.PostAsync($"/api/jobs/{finished.Id}/cancel", null), HttpStatusCode.Conflict);

        // Assert
        Assert.Contains("no-such-job", unknown.Detail, StringComparison.Ordinal);
        Assert.Contains("Finished", ended.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListJobs_ByKind_ReturnsOnlyThatKindNewestFirst()
    {
        // Act
        var imports = await ApiJson.ReadAsync<List<JobInfo>>(await _client.GetAsync("/api/jobs?kind=import"));
        var bad = await ApiJson.ReadProblemAsync(await _client.GetAsync("/api/jobs?kind=painting"), HttpStatusCode.BadRequest);

        // Assert
        Assert.NotEmpty(imports);
        Assert.All(imports, j => Assert.Equal(JobKind.Import, j.Kind));
        Assert.Equal(imports.Select(j => j.CreatedUtc).OrderDescending(), imports.Select(j => j.CreatedUtc));
        Assert.StartsWith("kind: 'painting' is not one of", bad.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_Template_ListsTheActiveVersion()
    {
        // Act
        var models = await ApiJson.ReadAsync<List<ModelVersionInfo>>(await _client.GetAsync("/api/models"));

        // Assert
        var active = Assert.Single(models, m => m.IsActive);
        Assert.Equal(WebTestData.HeldOutLabels, active.HeldOutLabels);
        Assert.Equal(WebTestData.TemplateEpochs, active.History.Count);
        Assert.True(active.TrainCount > 0, "the template model was trained on some images");
    }

    [Fact]
    public async Task Activate_UnknownVersion_Returns404()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.PostAsync("/api/models/9999/activate", null), HttpStatusCode.NotFound);

        // Assert
        Assert.Contains("9999", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activate_KnownVersion_QueuesAnActivationJobThatFinishes()
    {
        // Arrange
        int active = app.Services.GetRequiredService<ModelService>().ActiveModelId!.Value;

        // Act
        var response = await _client.PostAsync($"/api/models/{active}/activate", null);
        var job = await ApiJson.ReadAsync<JobInfo>(response, HttpStatusCode.Accepted);
        await Jobs.WaitAsync(job.Id);

        // Assert
        Assert.Equal($"/api/jobs/{job.Id}", response.Headers.Location?.OriginalString);
        var done = await ApiJson.ReadAsync<JobInfo>(await _client.GetAsync($"/api/jobs/{job.Id}"));
        Assert.Equal((JobKind.Activation, JobState.Finished, active), (done.Kind, done.State, done.Result?.Model?.Id));
    }
}

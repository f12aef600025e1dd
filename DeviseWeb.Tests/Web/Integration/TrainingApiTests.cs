using System.Net;
using System.Text.Json;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

[Collection(WebAppCollection.Name)]
public sealed class TrainingApiTests(DeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Start_WhileAnotherRuns_Returns409NamingTheRunningJob()
    {
        // Arrange: a run far too long to end by itself during the test; it never becomes the active model.
        var running = await ApiJson.ReadAsync<TrainingJobSnapshot>(
            await ApiJson.PostJsonAsync(_client, "/api/training", new TrainingOptions { Epochs = 10_000, HeldOutLabelCount = 0, Activate = false }),
            HttpStatusCode.Accepted);
        try
        {
            // Act
            var second = await ApiJson.PostJsonAsync(_client, "/api/training", new TrainingOptions { Epochs = 1, Activate = false });

            // Assert
            var problem = await ApiJson.ReadProblemAsync(second, HttpStatusCode.Conflict);
            Assert.Equal(running.Id, ((JsonElement)problem.Extensions["runningJobId"]!).GetString());
        }
        finally
        {
            Assert.Equal(HttpStatusCode.Accepted, (await _client.PostAsync($"/api/training/{running.Id}/cancel", null)).StatusCode);
            await app.Services.GetRequiredService<TrainingJobRunner>().WaitAsync(running.Id);
        }
        var ended = await ApiJson.ReadAsync<TrainingJobSnapshot>(await _client.GetAsync($"/api/training/{running.Id}"));
        Assert.Equal(TrainingJobState.Cancelled, ended.State);
    }

    [Fact]
    public async Task Start_InvalidOptions_Returns400WithTheReason()
    {
        // Act
        var response = await ApiJson.PostJsonAsync(_client, "/api/training", new TrainingOptions { Epochs = 0 });

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("Epochs must be between", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BodyNotJson_Returns400()
    {
        // Act
        var response = await _client.PostAsync("/api/training", new StringContent("epochs=3", System.Text.Encoding.UTF8, "application/json"));

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("TrainingOptions JSON", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetJob_UnknownId_Returns404()
    {
        // Act
        var problem = await ApiJson.ReadProblemAsync(await _client.GetAsync("/api/training/no-such-job"), HttpStatusCode.NotFound);

        // Assert
        Assert.Contains("no-such-job", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Models_Template_ListsTheActiveVersion()
    {
        // Act
        var models = await ApiJson.ReadAsync<List<ModelVersionInfo>>(await _client.GetAsync("/api/models"));

        // Assert
        var active = Assert.Single(models, m => m.IsActive);
        Assert.Empty(active.HeldOutLabels);
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
}

using System.Net;
using System.Net.Http.Headers;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// Options that would wreck a model are refused up front, naming the option; a stored version whose figures are
/// NaN is never activated, and every JSON endpoint still answers while one exists.
/// </summary>
[Collection(WebSurfaceAppCollection.Name)]
public sealed class TrainingSafetyTests(WebSurfaceDeviseWebFactory app)
{
    private readonly HttpClient _client = app.CreateClient();

    private ModelService Models => app.Services.GetRequiredService<ModelService>();
    private int JobCount => app.Services.GetRequiredService<JobQueue>().Recent(200).Count;

    [Fact]
    public async Task StartTraining_HugeLearningRate_Returns400NamingItAndKeepsTheActiveModel()
    {
        // Arrange
        int? activeBefore = Models.ActiveModelId;
        int jobsBefore = JobCount;

        // Act
        using var response = await _client.PostAsync("/api/training", Json("{\"learningRate\": 1e6, \"epochs\": 2}"));

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("LearningRate", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(activeBefore, Models.ActiveModelId);
        Assert.Equal(jobsBefore, JobCount);
    }

    [Fact]
    public async Task StartTraining_UnknownField_Returns400NamingIt()
    {
        // Act
        using var response = await _client.PostAsync("/api/training", Json("{\"epochs\": 2, \"weightDecayy\": 0.1}"));

        // Assert
        var problem = await ApiJson.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("weightDecayy", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoredModelWithNaNMetrics_IsNeverActivatedAndTheApiStillAnswers()
    {
        // Arrange: a version saved before training refused NaN, its curve and evaluation NaN.
        int active = Models.ActiveModelId!.Value;
        var repository = app.Services.GetRequiredService<ModelRepository>();
        var template = repository.Find(active)!;
        var broken = repository.Add(new ModelRecord
        {
            CreatedUtc = DateTime.UtcNow, Options = template.Options with { LearningRate = 1 }, Backbone = template.Backbone,
            TextEncoder = template.TextEncoder, Architecture = template.Architecture, FeatureDimension = template.FeatureDimension,
            EmbeddingDimension = template.EmbeddingDimension, Labels = template.Labels, HeldOutLabels = template.HeldOutLabels,
            TrainImageIds = template.TrainImageIds, ValidationImageIds = template.ValidationImageIds, HeldOutImageIds = template.HeldOutImageIds,
            History = [new EpochMetrics(1, double.NaN, double.NaN, 1e-3, 1)],
            Evaluation = template.Evaluation! with { ValidationLoss = double.NaN, ValidationHit1 = new Metric(double.NaN, 0.1, 10) },
            DurationSeconds = 1, Completed = true,
        }, repository.Weights(active)!);

        // Act
        using var activate = await _client.PostAsync($"/api/models/{broken.Id}/activate", null);
        using var models = await _client.GetAsync("/api/models");
        using var one = await _client.GetAsync($"/api/models/{broken.Id}");
        using var search = await _client.GetAsync("/api/search?q=dog&k=3");
        using var training = await _client.GetAsync("/api/training");

        // Assert
        var problem = await ApiJson.ReadProblemAsync(activate, HttpStatusCode.Conflict);
        Assert.Contains("NaN", problem.Detail, StringComparison.Ordinal);
        Assert.Equal(active, Models.ActiveModelId);
        var listed = await ApiJson.ReadAsync<List<ModelVersionInfo>>(models);
        Assert.True(double.IsNaN(listed.Single(m => m.Id == broken.Id).Evaluation!.ValidationLoss!.Value));
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal(HttpStatusCode.OK, search.StatusCode);
        Assert.Equal(HttpStatusCode.OK, training.StatusCode);
    }

    private static StringContent Json(string body)
    {
        var content = new StringContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }
}

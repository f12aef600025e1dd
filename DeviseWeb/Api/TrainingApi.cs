using System.Text.Json;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Api;

/// <summary>Training jobs (one at a time) and model versions. Live events: the SignalR hub at /hubs/training.</summary>
public static class TrainingApi
{
    public static RouteGroupBuilder MapTrainingApi(this RouteGroupBuilder api)
    {
        var training = api.MapGroup("/training").WithTags("Training");
        training.MapPost("/", StartAsync).WithSummary("Start a training job (JSON TrainingOptions; an empty body takes the defaults). 409 while another runs.")
            .Accepts<TrainingOptions>(isOptional: true, "application/json").Produces<TrainingJobSnapshot>(202).ProducesProblem(400).ProducesProblem(409);
        training.MapGet("/", (TrainingJobRunner runner) => Results.Ok(new TrainingOverview(runner.Current, runner.IsRunning, runner.Jobs)))
            .WithSummary("The running (else latest) job and every job since the app started.").Produces<TrainingOverview>();
        training.MapGet("/{id}", (string id, TrainingJobRunner runner) =>
                runner.Get(id) is { } job ? Results.Ok(job) : ApiProblems.NotFound($"No training job {id}."))
            .WithSummary("One job: state, latest step, loss curve so far, log.").Produces<TrainingJobSnapshot>().ProducesProblem(404);
        training.MapPost("/{id}/cancel", Cancel).WithSummary("Cancel a running job.")
            .Produces<TrainingJobSnapshot>(202).ProducesProblem(404).ProducesProblem(409);

        var models = api.MapGroup("/models").WithTags("Models");
        models.MapGet("/", (DeviseEngine engine) => Results.Ok(engine.ListModels()))
            .WithSummary("Model versions with their options, learning curve and metrics.").Produces<IReadOnlyList<ModelVersionInfo>>();
        models.MapGet("/{id:int}", (int id, DeviseEngine engine) =>
                engine.GetModel(id) is { } model ? Results.Ok(model) : ApiProblems.NotFound($"No model version {id}."))
            .WithSummary("One model version.").Produces<ModelVersionInfo>().ProducesProblem(404);
        models.MapPost("/{id:int}/activate", Activate)
            .WithSummary("Make a version the one searches use. Runs in the background (202); searches keep working meanwhile.")
            .Produces<ActivationResponse>(202).Produces<ActivationResponse>(200).ProducesProblem(404).ProducesProblem(409);
        return training;
    }

    private static async Task<IResult> StartAsync(HttpRequest request, TrainingJobRunner runner, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        TrainingOptions? options;
        try
        {
            options = request.ContentLength is 0 || (request.ContentLength is null && request.ContentType is null)
                ? new TrainingOptions()
                : await JsonSerializer.DeserializeAsync<TrainingOptions>(request.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (JsonException e) { return ApiProblems.BadRequest("The body is not valid TrainingOptions JSON: " + e.Message); }
        options ??= new TrainingOptions();
        try
        {
            var job = runner.Start(options);
            return Results.Accepted($"/api/training/{job.Id}", job);
        }
        catch (TrainingBusyException e)
        {
            return ApiProblems.Conflict(e.Message, new Dictionary<string, object?> { ["runningJobId"] = e.RunningJobId });
        }
        catch (ArgumentException e) { return ApiProblems.BadRequest(e.Message); }
    }

    private static IResult Cancel(string id, TrainingJobRunner runner)
    {
        if (runner.Get(id) is not { } job) return ApiProblems.NotFound($"No training job {id}.");
        if (!runner.Cancel(id)) return ApiProblems.Conflict($"Training job {id} is not running ({job.State}).");
        return Results.Accepted($"/api/training/{id}", runner.Get(id));
    }

    private static IResult Activate(int id, DeviseEngine engine, ModelActivationService activation)
    {
        if (engine.GetModel(id) is not { } model) return ApiProblems.NotFound($"No model version {id}.");
        if (model.IsActive && activation.ActivatingId is null) return Results.Ok(new ActivationResponse(id, "active"));
        if (!activation.TryStart(id))
            return ApiProblems.Conflict($"Model version {activation.ActivatingId} is being activated; try again when it is done.");
        return Results.Accepted($"/api/models/{id}", new ActivationResponse(id, "activating"));
    }
}

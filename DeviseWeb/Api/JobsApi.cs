using System.Text.Json;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Api;

/// <summary>
/// Long work as jobs on the engine's one queue (training, activation, evaluation; import and the vocabulary at first start),
/// and model versions. A started job answers 202 with its JobInfo and a Location to poll; live events: the SignalR
/// hub at /hubs/jobs.
/// </summary>
public static class JobsApi
{
    private const int MaxListed = 200;

    public static RouteGroupBuilder MapJobsApi(this RouteGroupBuilder api, RouteGroupBuilder editor)
    {
        editor.MapPost("/training", StartTrainingAsync).WithTags("Training")
            .WithSummary("Queue a training job (JSON TrainingOptions; an empty body takes the defaults). It waits behind a running job.")
            .Accepts<TrainingOptions>(isOptional: true, "application/json").Produces<JobInfo>(202).ProducesProblem(400).ProducesProblem(409)
            .ProducesProblem(415).ProducesProblem(429).WithPerClientLimit(CostKind.Training);
        api.MapGet("/training", TrainingOverview).WithTags("Training")
            .WithSummary("The running (else latest) training job, with its learning curve and log, and the newest training jobs.").Produces<TrainingOverview>();

        var jobs = api.MapGroup("/jobs").WithTags("Jobs");
        jobs.MapGet("/", List).WithSummary("Jobs, newest first, optionally of one kind (Import, Training, Activation, Vocabulary, Compaction, Evaluation; Removed: a kind an older release ran).")
            .Produces<IReadOnlyList<JobInfo>>().ProducesProblem(400);
        jobs.MapGet("/{id}", (string id, JobQueue queue) => Results.Ok(queue.Get(id) ?? throw new NotFoundException($"No job {id}.")))
            .WithSummary("One job: state, progress, learning curve so far (training), log, result.").Produces<JobInfo>().ProducesProblem(404);
        editor.MapPost("/jobs/{id}/cancel", Cancel).WithTags("Jobs").WithSummary("Cancel a queued or running job.")
            .Produces<JobInfo>(202).ProducesProblem(404).ProducesProblem(409).ProducesProblem(429).WithPerClientLimit(CostKind.Training);

        var models = api.MapGroup("/models").WithTags("Models");
        models.MapGet("/", (ModelService service) => Results.Ok(service.List()))
            .WithSummary("Model versions with their options, learning curve and metrics.").Produces<IReadOnlyList<ModelVersionInfo>>();
        models.MapGet("/{id:int}", (int id, ModelService service) => Results.Ok(service.Get(id)))
            .WithSummary("One model version.").Produces<ModelVersionInfo>().ProducesProblem(404);
        editor.MapPost("/models/{id:int}/activate", Activate).WithTags("Models")
            .WithSummary("Queue an activation job: the version's gallery embeddings are completed, then swapped in whole; searches keep working meanwhile.")
            .Produces<JobInfo>(202).ProducesProblem(404).ProducesProblem(409).ProducesProblem(429).WithPerClientLimit(CostKind.Training);
        editor.MapPost("/models/{id:int}/evaluate", Evaluate).WithTags("Models")
            .WithSummary("Queue an evaluation job: zero-shot, precision@9 and text search over the evaluation-only images (never trained on), measured from the version's own embeddings against the gallery as it is now, each beside chance. The figures are stored with the version (GET /api/models/{id}) and are the job's result.")
            .Produces<JobInfo>(202).ProducesProblem(404).ProducesProblem(409).ProducesProblem(429).WithPerClientLimit(CostKind.Training);
        return jobs;
    }

    private static async Task<IResult> StartTrainingAsync(HttpRequest request, JobQueue queue, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        TrainingOptions? options;
        // Read by hand so that an empty body means the defaults and a broken one gets a 400 saying what was expected.
        try
        {
            options = request.ContentLength is 0 || (request.ContentLength is null && request.ContentType is null)
                ? new TrainingOptions()
                : await JsonSerializer.DeserializeAsync<TrainingOptions>(request.Body, json.Value.SerializerOptions, cancellationToken);
        }
        catch (JsonException e) { return ApiProblems.BadRequest("The body is not valid TrainingOptions JSON: " + e.Message); }
        return Accepted(queue.Enqueue(new JobRequest { Kind = JobKind.Training, Training = options ?? new TrainingOptions() }));
    }

    private static IResult TrainingOverview(JobQueue queue)
    {
        var current = queue.Latest(JobKind.Training);
        var jobs = queue.Recent(MaxListed).Where(j => j.Kind == JobKind.Training).Take(50).ToList();
        return Results.Ok(new TrainingOverview(current, current?.State == JobState.Running, jobs));
    }

    private static IResult List(JobQueue queue, string? kind, string? take)
    {
        if (ApiProblems.ParseEnum(kind, "kind", out JobKind? only) is { } badKind) return badKind;
        if (ApiProblems.ParseInt(take, "take", 1, MaxListed, out int? count) is { } badTake) return badTake;
        var jobs = only is null ? queue.Recent(count ?? 50) : queue.Recent(MaxListed).Where(j => j.Kind == only).Take(count ?? 50);
        return Results.Ok(jobs.ToList());
    }

    private static IResult Cancel(string id, JobQueue queue)
    {
        var job = queue.Get(id) ?? throw new NotFoundException($"No job {id}.");
        if (!queue.Cancel(id)) throw new ConflictException($"Job {id} is not queued or running ({job.State}).");
        return Results.Accepted($"/api/jobs/{id}", queue.Get(id));
    }

    private static IResult Activate(int id, JobQueue queue) =>
        Accepted(queue.Enqueue(new JobRequest { Kind = JobKind.Activation, ModelId = id }));

    private static IResult Evaluate(int id, JobQueue queue) =>
        Accepted(queue.Enqueue(new JobRequest { Kind = JobKind.Evaluation, ModelId = id }));

    private static IResult Accepted(JobInfo job) => Results.Accepted($"/api/jobs/{job.Id}", job);
}

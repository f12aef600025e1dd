using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Models;

namespace DeviseWeb.Engine.Jobs.Handlers;

/// <summary>Measures a model version (the active one when none is named) and keeps the figures with it.</summary>
public sealed class EvaluationJobHandler(EvaluationService evaluation, ModelService models) : IJobHandler
{
    public JobKind Kind => JobKind.Evaluation;

    public string Describe(JobRequest request) => request.ModelId is int id ? $"Evaluate model version {id}" : "Evaluate the active model version";

    public void Validate(JobRequest request)
    {
        if (request.ModelId is int id) models.Get(id);
        else if (models.ActiveModelId is null) throw new ConflictException("No trained model yet: train one first (CLI: train; web: the Training page).");
    }

    public Task<JobResult> RunAsync(JobRequest request, JobContext context, CancellationToken cancellationToken)
    {
        var report = evaluation.Evaluate(request.ModelId, context.Progress, cancellationToken);
        if (report.PhotoImageCount == 0) context.Log("The gallery has no evaluation images this version did not train on: only the gallery figures were measured");
        return Task.FromResult(new JobResult { Evaluation = report, Model = models.Get(request.ModelId ?? models.ActiveModelId!.Value) });
    }
}

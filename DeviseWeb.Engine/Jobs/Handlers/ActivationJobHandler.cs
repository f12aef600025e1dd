using DeviseWeb.Engine.Models;

namespace DeviseWeb.Engine.Jobs.Handlers;

/// <summary>Makes a model version the active one: embeds what its column lacks, then swaps it in whole.</summary>
public sealed class ActivationJobHandler(ModelService models) : IJobHandler
{
    public JobKind Kind => JobKind.Activation;

    public string Describe(JobRequest request) => $"Activate model version {request.ModelId}";

    public void Validate(JobRequest request)
    {
        var model = models.Get(request.ModelId ?? throw new InvalidInputException("Which model version to activate?"));
        FiniteModelCheck.ThrowIfNotActivatable(model.Id, model.History, model.Evaluation);
        models.ThrowIfRetired(model.Id);
    }

    public async Task<JobResult> RunAsync(JobRequest request, JobContext context, CancellationToken cancellationToken) =>
        new() { Model = await models.ActivateAsync(request.ModelId!.Value, context.Progress, cancellationToken).ConfigureAwait(false) };
}

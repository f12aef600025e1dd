using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Jobs.Handlers;

/// <summary>Trains a DeViSE head on the stored features, evaluates it and (by default) activates it.</summary>
public sealed class TrainingJobHandler(ModelTrainer trainer) : IJobHandler
{
    public JobKind Kind => JobKind.Training;

    public string Describe(JobRequest request)
    {
        var o = request.Training ?? new TrainingOptions();
        return $"Train {o.Epochs} epochs, lr {o.LearningRate}, batch {o.BatchSize}, {o.HeldOutLabelCount} held-out labels, seed {o.Seed}";
    }

    public void Validate(JobRequest request) => ModelTrainer.Validate(request.Training ?? throw new InvalidInputException("Training options are missing."));

    public Task<JobResult> RunAsync(JobRequest request, JobContext context, CancellationToken cancellationToken) =>
        Task.FromResult(new JobResult { Model = trainer.Train(request.Training!, context.Training, context.Log, cancellationToken) });
}

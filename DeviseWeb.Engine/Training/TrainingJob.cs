namespace DeviseWeb.Engine.Training;

public enum TrainingJobState { Running, Finished, Failed, Cancelled }

public enum TrainingJobEventKind { Started, Progress, Epoch, Finished, Failed, Cancelled }

/// <summary>What a training job tells its listeners, in order: Started, Progress/Epoch…, then one of Finished, Failed, Cancelled.</summary>
public sealed record TrainingJobEvent(
    string JobId,
    TrainingJobEventKind Kind,
    DateTime TimeUtc,
    TrainingProgress? Progress = null,
    EpochMetrics? Epoch = null,
    ModelVersionInfo? Model = null,
    string? Message = null);

/// <summary>A job's state as a page that (re)attaches needs it: the curve so far, the latest step and recent log lines.</summary>
public sealed record TrainingJobSnapshot(
    string Id,
    TrainingOptions Options,
    TrainingJobState State,
    DateTime StartedUtc,
    DateTime? EndedUtc,
    TrainingProgress? Latest,
    IReadOnlyList<EpochMetrics> Epochs,
    IReadOnlyList<string> Log,
    int? ModelId,
    string? Error);

/// <summary>Asked to start a job while another runs.</summary>
public sealed class TrainingBusyException(string runningJobId)
    : Exception($"A training job ({runningJobId}) is already running; wait for it or cancel it.")
{
    public string RunningJobId { get; } = runningJobId;
}

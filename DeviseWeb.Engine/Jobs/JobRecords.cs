using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Jobs;

/// <summary>
/// What a job does. <see cref="Removed"/> stands for a kind this release no longer runs, read from an old job record
/// (the augmented-views job), so the history still lists it.
/// </summary>
public enum JobKind { Import, Training, Activation, Vocabulary, Compaction, Evaluation, Removed }

public enum JobState { Queued, Running, Finished, Failed, Cancelled, Interrupted }

public enum JobEventType { Queued, Started, Progress, Epoch, Finished, Failed, Cancelled, Interrupted }

/// <summary>
/// How far a job is: a share of the whole, optional counts, what it is doing, and time so far and left (null where not
/// measured; not "= default", which breaks JSON schema export of the record: dotnet/runtime#133178).
/// </summary>
public sealed record JobProgress(
    double Fraction,
    int? Done = null,
    int? Total = null,
    string? Message = null,
    TimeSpan? Elapsed = null,
    TimeSpan? Remaining = null,
    JobPhase? Phase = null);

/// <summary>
/// The pass a job that runs several in order is in (training: the epochs, embedding the gallery, label transfer, …):
/// its name, its place (<paramref name="Number"/> of <paramref name="Count"/>, from 1), its own share done, counts,
/// and its own time so far and left (null until it has measured some work). <see cref="PhasedProgress"/> makes them.
/// </summary>
public sealed record JobPhase(
    string Name,
    int Number,
    int Count,
    double Fraction,
    long? Done = null,
    long? Total = null,
    TimeSpan? Elapsed = null,
    TimeSpan? Remaining = null);

/// <summary>What a job was asked to do. One of the option fields is set, matching the kind.</summary>
public sealed record JobRequest
{
    public JobKind Kind { get; init; }
    public ImportJobOptions? Import { get; init; }
    public TrainingOptions? Training { get; init; }
    /// <summary>The model version to activate (kind Activation) or to evaluate (kind Evaluation; null: the active one).</summary>
    public int? ModelId { get; init; }
}

/// <summary>
/// A folder-per-label dataset to import, or one file under one label. <paramref name="Evaluation"/> marks every image
/// evaluation-only (never trained on); a folder's own evaluation.txt marks some of them.
/// </summary>
public sealed record ImportJobOptions(string Path, string? Label = null, bool Evaluation = false);

/// <summary>What a finished job produced; the field matching its kind is set.</summary>
public sealed record JobResult
{
    public ImportSummary? Import { get; init; }
    public ModelVersionInfo? Model { get; init; }
    public int? VocabularySize { get; init; }
    public int? RowsCompacted { get; init; }
    /// <summary>An evaluation job's figures (also stored with the version).</summary>
    public EvaluationReport? Evaluation { get; init; }
}

/// <summary>
/// A job as hosts see it: what was asked, where it is, and (for training) the learning curve so far, so a page
/// that reloads mid-run reattaches with everything. Persisted: it survives a restart (a running job then shows
/// as <see cref="JobState.Interrupted"/>).
/// </summary>
public sealed record JobInfo(
    string Id,
    JobKind Kind,
    JobState State,
    string Description,
    JobRequest Request,
    DateTime CreatedUtc,
    DateTime? StartedUtc,
    DateTime? EndedUtc,
    JobProgress? Progress,
    TrainingProgress? Training,
    IReadOnlyList<EpochMetrics> Epochs,
    IReadOnlyList<string> Log,
    JobResult? Result,
    string? Error)
{
    public bool IsActive => State is JobState.Queued or JobState.Running;
}

/// <summary>
/// One event in the single stream every listener reads (pages, the SignalR hub, the CLI): Queued, Started,
/// Progress/Epoch…, then Finished, Failed, Cancelled or Interrupted. State changes carry the whole job.
/// </summary>
public sealed record JobEvent(
    string JobId,
    JobKind Kind,
    JobEventType Type,
    DateTime TimeUtc,
    JobProgress? Progress = null,
    TrainingProgress? Training = null,
    EpochMetrics? Epoch = null,
    string? Message = null,
    JobInfo? Job = null);

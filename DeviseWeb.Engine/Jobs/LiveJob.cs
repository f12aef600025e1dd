using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Jobs;

/// <summary>A queued or running job's mutable state; the <see cref="JobQueue"/> guards it and hands out <see cref="JobInfo"/> snapshots.</summary>
internal sealed class LiveJob(string id, JobRequest request, string description)
{
    private readonly object _lock = new();

    public string Id { get; } = id;
    public JobRequest Request { get; } = request;
    public string Description { get; } = description;
    public DateTime CreatedUtc { get; } = DateTime.UtcNow;
    public CancellationTokenSource Cancellation { get; } = new();
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<EpochMetrics> _epochs = [];
    private readonly List<string> _log = [];
    public JobState State { get; private set; } = JobState.Queued;
    public DateTime? StartedUtc { get; private set; }
    public DateTime? EndedUtc { get; private set; }
    public JobProgress? Progress { get; set; }
    public TrainingProgress? Training { get; set; }
    public JobResult? Result { get; private set; }
    public string? Error { get; private set; }
    public DateTime LastPublishedUtc { get; set; }
    public DateTime LastPersistedUtc { get; set; }

    public bool IsActive => State is JobState.Queued or JobState.Running;

    public void AddEpoch(EpochMetrics epoch)
    {
        lock (_lock) _epochs.Add(epoch);
    }

    /// <summary>Adds a log line, dropping the oldest beyond the limit.</summary>
    public void AddLog(string line, int limit)
    {
        lock (_lock)
        {
            _log.Add(line);
            if (_log.Count > limit) _log.RemoveAt(0);
        }
    }

    /// <summary>Queued → Running; false when the job was cancelled meanwhile.</summary>
    public bool TryStart()
    {
        lock (_lock)
        {
            if (State != JobState.Queued) return false;
            State = JobState.Running;
            StartedUtc = DateTime.UtcNow;
            return true;
        }
    }

    /// <summary>Queued → Cancelled, so the worker skips it; false when it already runs or ended.</summary>
    public bool TryCancelQueued()
    {
        lock (_lock)
        {
            if (State != JobState.Queued) return false;
            State = JobState.Cancelled;
            return true;
        }
    }

    public void End(JobState state, JobResult? result, string? error)
    {
        lock (_lock)
        {
            State = state;
            Result = result;
            Error = error;
            EndedUtc = DateTime.UtcNow;
            if (state == JobState.Finished && Progress is { } p) Progress = p with { Fraction = 1 };
        }
    }

    public JobInfo Snapshot()
    {
        lock (_lock)
            return new JobInfo(Id, Request.Kind, State, Description, Request, CreatedUtc, StartedUtc, EndedUtc, Progress, Training,
                [.. _epochs], [.. _log], Result, Error);
    }
}

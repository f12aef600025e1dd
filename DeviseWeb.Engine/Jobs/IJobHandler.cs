using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Jobs;

/// <summary>Runs one kind of job. Registered by <c>AddDeviseEngine</c>; the <see cref="JobWorker"/> calls it.</summary>
public interface IJobHandler
{
    JobKind Kind { get; }

    /// <summary>A line saying what the job will do ("Import data/demo", "Train 30 epochs").</summary>
    string Describe(JobRequest request);

    /// <summary>Throws <see cref="DeviseException"/> for a request that cannot run (before it is queued).</summary>
    void Validate(JobRequest request);

    Task<JobResult> RunAsync(JobRequest request, JobContext context, CancellationToken cancellationToken);
}

/// <summary>What a running job reports through: progress, training steps and epochs, and log lines.</summary>
public sealed class JobContext(Action<JobProgress> progress, Action<TrainingProgress> training, Action<string> log)
{
    public IProgress<JobProgress> Progress { get; } = new SynchronousProgress<JobProgress>(progress);

    public IProgress<TrainingProgress> Training { get; } = new SynchronousProgress<TrainingProgress>(training);

    public void Log(string message) => log(message);
}

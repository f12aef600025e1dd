using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;

namespace DeviseWeb.Cli;

/// <summary>Runs long verbs as jobs on the engine's queue, with their progress on the console.</summary>
public static class CliJobs
{
    /// <summary>
    /// Queues a job and waits for it, showing its events. Returns the finished job; a failed or interrupted job throws
    /// <see cref="DeviseException"/> with its error; Ctrl+C cancels the job, waits for it to stop, and throws
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public static async Task<JobInfo> RunAsync(CommandContext c, JobRequest request, string title)
    {
        var queue = c.Get<JobQueue>();
        var filter = new JobFilter();
        using var progress = new ConsoleProgress(title, c.Errors, c.Interactive);
        using var subscription = queue.Subscribe(e =>
        {
            if (filter.Matches(e.JobId)) progress.Report(e);
        });
        var job = queue.Enqueue(request);
        filter.JobId = job.Id;
        JobInfo final;
        try
        {
            final = await queue.WaitAsync(job.Id, c.CancellationToken);
        }
        catch (OperationCanceledException) when (c.CancellationToken.IsCancellationRequested)
        {
            queue.Cancel(job.Id);
            await queue.WaitAsync(job.Id, CancellationToken.None); // a cancelled step finishes first; the store stays whole
            throw;
        }
        progress.Dispose(); // the bar goes before the verb prints its result
        return Finished(final);
    }

    /// <summary>A job that ended: itself when it finished; a cancel or a failure (with its error) thrown.</summary>
    public static JobInfo Finished(JobInfo final) => final.State switch
    {
        JobState.Finished => final,
        JobState.Cancelled => throw new OperationCanceledException($"{final.Description}: cancelled."),
        _ => throw new DeviseException(final.Error ?? $"{final.Description}: {final.State.ToString().ToLowerInvariant()}."),
    };

    /// <summary>Events of the job this call queued; before its id is known (its Queued event), every event of this process's queue is its.</summary>
    private sealed class JobFilter
    {
        private string? _jobId;

        public string? JobId { set => Volatile.Write(ref _jobId, value); }

        public bool Matches(string jobId) => Volatile.Read(ref _jobId) is not { } known || known == jobId;
    }
}

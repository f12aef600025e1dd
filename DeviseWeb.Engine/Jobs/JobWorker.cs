using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeviseWeb.Engine.Jobs;

/// <summary>
/// Drains the <see cref="JobQueue"/> one job at a time (the dotnet docs' queue service). A failing job is logged
/// and recorded, and the worker carries on. On shutdown it cancels the running job and waits for it, and
/// records the jobs still queued as interrupted, before the host disposes what the jobs use.
/// </summary>
public sealed class JobWorker(JobQueue queue, JobThread thread, ILogger<JobWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var job in queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                // ReadAllAsync still hands out buffered jobs once stopping has begun: those never start.
                if (stoppingToken.IsCancellationRequested) InterruptQueued(job);
                else await RunAsync(job, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        while (queue.Reader.TryRead(out var left)) InterruptQueued(left);
    }

    private void InterruptQueued(LiveJob job)
    {
        if (job.TryCancelQueued())
            queue.Ended(job, JobState.Interrupted, null, "The app stopped before this job ran.", "Interrupted: the app stopped before it ran");
    }

    private async Task RunAsync(LiveJob job, CancellationToken stoppingToken)
    {
        if (!queue.TryStart(job)) return; // cancelled while queued
        var handler = queue.HandlerFor(job.Request.Kind);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, job.Cancellation.Token);
        var context = new JobContext(p => queue.ReportProgress(job, p), t => queue.ReportTraining(job, t), m => queue.Log(job, m));
        try
        {
            // Handlers do CPU-bound work: on the job thread, below requests' priority.
            linked.Token.ThrowIfCancellationRequested();
            var result = await thread.RunAsync(() => handler.RunAsync(job.Request, context, linked.Token).GetAwaiter().GetResult()).ConfigureAwait(false);
            queue.Ended(job, JobState.Finished, result, null, "Finished: " + Summarise(result));
            logger.LogInformation("Job {JobId} finished: {Description}", job.Id, job.Description);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            bool shutdown = stoppingToken.IsCancellationRequested && !job.Cancellation.IsCancellationRequested;
            queue.Ended(job, shutdown ? JobState.Interrupted : JobState.Cancelled, null, shutdown ? "The app stopped while this job ran." : null,
                shutdown ? "Interrupted: the app is stopping" : "Cancelled");
        }
        catch (Exception e)
        {
            logger.LogError(e, "Job {JobId} ({Description}) failed", job.Id, job.Description);
            queue.Ended(job, JobState.Failed, null, e.Message, "Failed: " + e.Message);
        }
    }

    private static string Summarise(JobResult result) => result switch
    {
        { Import: { } i } => $"{i.Added} added, {i.Duplicates} duplicates, {i.Rejected} rejected in {i.Elapsed.TotalSeconds:0.0} s",
        { Model: { } m } => $"model version {m.Id}{(m.IsActive ? ", active" : "")}" + (m.Evaluation is { } e
            ? $", validation loss {e.ValidationLoss:0.000}, zero-shot hit@5 {e.ZeroShotHit5?.Value:P0}, precision@9 {e.SeenPrecisionAt9?.Value:P0}" : ""),
        { VocabularySize: { } v } => $"{v:N0} words",
        { RowsCompacted: { } r } => $"{r:N0} removed rows dropped",
        _ => "done",
    };
}

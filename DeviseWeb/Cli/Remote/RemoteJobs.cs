using System.Net;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;

namespace DeviseWeb.Cli.Remote;

/// <summary>
/// Long verbs through the server: the request answers 202 with the job it queued, which is then read back
/// (<c>GET /api/jobs/{id}</c>) until it ends, its progress, epochs and log lines drawn by the same
/// <see cref="ConsoleProgress"/> a local job uses. Ctrl+C cancels the job on the server and waits for it to stop.
/// </summary>
public static class RemoteJobs
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(400);

    public static async Task<JobInfo> RunAsync(CommandContext c, ServerClient server, string path, object? body, string title)
    {
        var job = await server.SendJsonAsync<JobInfo>(HttpMethod.Post, path, body, c.CancellationToken);
        using var progress = new ConsoleProgress(title, c.Errors, c.Interactive);
        var shown = new Shown();
        try
        {
            while (!IsOver(job.State))
            {
                await Task.Delay(PollInterval, c.CancellationToken);
                job = await server.GetAsync<JobInfo>($"api/jobs/{job.Id}", c.CancellationToken);
                Show(progress, job, shown);
            }
        }
        catch (OperationCanceledException) when (c.CancellationToken.IsCancellationRequested)
        {
            using (var cancel = new HttpRequestMessage(HttpMethod.Post, $"api/jobs/{job.Id}/cancel"))
            using (var answer = await server.SendRawAsync(cancel, CancellationToken.None))
                if (answer.StatusCode != HttpStatusCode.Conflict && !answer.IsSuccessStatusCode) throw await server.ErrorOfAsync(answer, CancellationToken.None);
            while (!IsOver(job.State)) // a cancelled step finishes first; the store stays whole
            {
                await Task.Delay(PollInterval, CancellationToken.None);
                job = await server.GetAsync<JobInfo>($"api/jobs/{job.Id}", CancellationToken.None);
            }
            throw;
        }
        progress.Dispose(); // the bar goes before the verb prints its result
        return CliJobs.Finished(job);
    }

    private static bool IsOver(JobState state) => state is not (JobState.Queued or JobState.Running);

    /// <summary>What has been drawn so far: epochs and log lines are drawn once each.</summary>
    private sealed class Shown
    {
        public int Epochs;
        public int LogLines;
    }

    private static void Show(ConsoleProgress progress, JobInfo job, Shown shown)
    {
        var now = DateTime.UtcNow;
        for (; shown.LogLines < job.Log.Count; shown.LogLines++)
            progress.Report(new JobEvent(job.Id, job.Kind, JobEventType.Progress, now, Message: job.Log[shown.LogLines]));
        for (; shown.Epochs < job.Epochs.Count; shown.Epochs++)
            progress.Report(new JobEvent(job.Id, job.Kind, JobEventType.Epoch, now, job.Progress, job.Training, job.Epochs[shown.Epochs]));
        if (job.Progress is not null)
            progress.Report(new JobEvent(job.Id, job.Kind, job.State == JobState.Finished ? JobEventType.Finished : JobEventType.Progress, now, job.Progress, job.Training, Job: job));
    }
}

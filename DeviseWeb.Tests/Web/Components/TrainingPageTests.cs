using Bunit;
using DeviseWeb.Components.Pages.Training;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Web.Integration;

namespace DeviseWeb.Tests.Web.Components;

[Collection(WebAppCollection.Name)]
public sealed class TrainingPageTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Long enough to still run while the test looks; never activated, and cancelled before it saves anything.</summary>
    private static readonly TrainingOptions LongRun = new() { Epochs = 10_000, HeldOutLabelCount = 0, BatchSize = 8, Activate = false };

    [Fact]
    public async Task Render_MidRun_ReattachesToTheRunningJobAndCancelStopsIt()
    {
        var jobs = Get<JobQueue>();
        var job = jobs.Enqueue(new JobRequest { Kind = JobKind.Training, Training = LongRun });
        try
        {
            // A page opened while the job runs, as after a reload: the curve so far comes from the job, then live.
            await WaitForEpochAsync(jobs, job.Id);
            var cut = Context.Render<TrainingPage>();

            cut.WaitForAssertion(() =>
            {
                Assert.Equal("running", cut.Find("[data-testid=training-dashboard]").GetAttribute("data-state"));
                Assert.Contains(job.Id, cut.Markup);
                Assert.True(int.Parse(cut.Find("[data-testid=loss-chart]").GetAttribute("data-points")!) >= 1);
                Assert.NotEmpty(cut.FindAll("[data-testid=training-log] li:not(.devise-log-empty)"));
            }, Wait);
            cut.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel training").Click();

            await jobs.WaitAsync(job.Id).WaitAsync(Wait);
            cut.WaitForAssertion(() => Assert.Equal("cancelled", cut.Find("[data-testid=training-dashboard]").GetAttribute("data-state")), Wait);
        }
        finally
        {
            jobs.Cancel(job.Id);
            await jobs.WaitAsync(job.Id);
        }
    }

    private static async Task WaitForEpochAsync(JobQueue jobs, string jobId)
    {
        var epoch = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = jobs.Subscribe(e => { if (e.JobId == jobId && e.Type == JobEventType.Epoch) epoch.TrySetResult(); });
        if (jobs.Get(jobId)?.Epochs.Count > 0) return;
        await epoch.Task.WaitAsync(Wait);
    }
}

using Bunit;
using DeviseWeb.Components.Pages.Training;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Web.Integration;

namespace DeviseWeb.Tests.Web.Components;

[Collection(WebAppCollection.Name)]
public sealed class TrainingFormTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    /// <summary>Long enough to still run while the test looks; never activated, and cancelled before it saves anything.</summary>
    private static readonly TrainingOptions LongRun = new() { Epochs = 10_000, HeldOutLabelCount = 0, Activate = false };

    private JobQueue Jobs => Get<JobQueue>();

    [Fact]
    public async Task StartTraining_WhileAJobRuns_QueuesTheNewJobBehindIt()
    {
        var running = Jobs.Enqueue(new JobRequest { Kind = JobKind.Training, Training = LongRun });
        JobInfo? queued = null;
        try
        {
            var cut = Context.Render<TrainingForm>(p => p.Add(x => x.Job, running).Add(x => x.OnStarted, job => queued = job));

            cut.Find("form").Submit();

            Assert.NotNull(queued);
            Assert.Equal(JobState.Queued, Jobs.Get(queued.Id)!.State);
            Assert.Contains($"Queued as job {queued.Id}", cut.Find("[data-testid=training-queued]").TextContent);
            Assert.Contains(running.Id, cut.Find("[data-testid=training-queued]").TextContent);
            Assert.Empty(cut.FindAll("[data-testid=training-error]"));
        }
        finally
        {
            if (queued is not null) Jobs.Cancel(queued.Id);
            Jobs.Cancel(running.Id);
            await Jobs.WaitAsync(running.Id);
        }
    }

    [Fact]
    public async Task StartTraining_FromTheForm_QueuesAJobWithTheFormsHyperparameters()
    {
        var cut = Context.Render<TrainingForm>();
        JobInfo? started = null;
        try
        {
            cut.Find("input#training-epochs").Input("5000");
            cut.Find("input#training-batch-size").Input("16");
            cut.Find("input#training-seed").Input("9");
            cut.Find("input#training-hypernyms").Input("0.4");
            cut.Find("form").Submit();

            started = Jobs.Latest(JobKind.Training);
            Assert.NotNull(started);
            Assert.True(started.IsActive, $"the new job is queued or running, not {started.State}");
            var options = started.Request.Training!;
            Assert.Equal((5000, 16, 9, 0.4, true), (options.Epochs, options.BatchSize, options.Seed, options.HypernymWeight, options.Activate));
            Assert.Empty(cut.FindAll("[data-testid=training-error]"));
        }
        finally
        {
            if (started is not null)
            {
                Jobs.Cancel(started.Id);
                await Jobs.WaitAsync(started.Id);
            }
        }
    }

    [Fact]
    public async Task CancelTraining_WhileTheJobRuns_CancelsIt()
    {
        var running = Jobs.Enqueue(new JobRequest { Kind = JobKind.Training, Training = LongRun });
        try
        {
            var cut = Context.Render<TrainingForm>(p => p.Add(x => x.Job, running));

            cut.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel training").Click();

            var ended = await Jobs.WaitAsync(running.Id).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(JobState.Cancelled, ended.State);
        }
        finally
        {
            Jobs.Cancel(running.Id);
            await Jobs.WaitAsync(running.Id);
        }
    }
}

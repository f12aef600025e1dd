using Bunit;
using DeviseWeb.Components.Pages.Training;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using DeviseWeb.Tests.Web.Integration;

namespace DeviseWeb.Tests.Web.Components;

/// <summary>The dashboard fed job snapshots and events of its own making, through the app's real notifier.</summary>
[Collection(WebAppCollection.Name)]
public sealed class TrainingDashboardTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    private JobNotifier Notifier => Get<JobNotifier>();

    private static TrainingProgress Step(int epoch, int step, TimeSpan? remaining = null) =>
        new(TrainingPhase.Step, epoch, 10, step, 4, 0.5, null, 0.001, TimeSpan.FromSeconds(epoch * 2), remaining ?? TimeSpan.FromSeconds(30));

    private static EpochMetrics Epoch(int epoch) => new(epoch, 0.6 - epoch * 0.05, 0.55 - epoch * 0.03, 0.001, epoch * 2.0);

    private static JobInfo Job(string id, JobState state, int epochs) => new(
        id, JobKind.Training, state, "Train 10 epochs", new JobRequest { Kind = JobKind.Training, Training = new TrainingOptions { Epochs = 10 } },
        DateTime.UtcNow, DateTime.UtcNow, null, null, Step(epochs, 2), Enumerable.Range(1, epochs).Select(Epoch).ToList(),
        ["12:00:00 Started: Train 10 epochs", "12:00:02 Epoch 1/10: train loss 0.55"], null, null);

    private static JobEvent Event(string id, JobEventType type, JobInfo? job = null, TrainingProgress? training = null, EpochMetrics? epoch = null,
        string? message = null) => new(id, JobKind.Training, type, DateTime.UtcNow, null, training, epoch, message, job);

    [Fact]
    public void Render_FromRunningJob_ShowsProgressCurveAndLog()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, Job("job1", JobState.Running, 3)));

        var progress = cut.Find("[data-testid=training-progress]");
        Assert.Equal("progressbar", progress.GetAttribute("role"));
        Assert.Equal("25", progress.GetAttribute("aria-valuenow")); // epoch 3, step 2 of 4, 10 epochs: 10/40
        Assert.Equal("3", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));
        Assert.NotNull(cut.Find("[data-testid=loss-chart] svg"));
        Assert.Contains("ETA 0:30", cut.Markup);
        Assert.Equal("Running", cut.Find("[data-testid=training-state]").TextContent.Trim());
        var log = cut.FindAll("[data-testid=training-log] li").Select(li => li.TextContent).ToList();
        Assert.Equal(["12:00:02 Epoch 1/10: train loss 0.55", "12:00:00 Started: Train 10 epochs"], log);
    }

    [Fact]
    public void EpochEvent_ForTheShownJob_AddsAChartPointAndMovesTheProgress()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, Job("job1", JobState.Running, 3)));

        Notifier.Publish(Event("job1", JobEventType.Epoch,
            training: new TrainingProgress(TrainingPhase.Epoch, 4, 10, 4, 4, 0.4, 0.43, 0.001, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12)),
            epoch: Epoch(4), message: "Epoch 4/10: train loss 0.4000, validation loss 0.4300"));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("4", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));
            Assert.Equal("40", cut.Find("[data-testid=training-progress]").GetAttribute("aria-valuenow"));
            Assert.Contains("Epoch 4/10: train loss 0.4000", cut.Find("[data-testid=training-log]").TextContent);
        });
    }

    [Fact]
    public void ProgressEvent_InAPassAfterTheEpochs_NamesThePassWithItsCountsAndTimeLeft()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, Job("job1", JobState.Running, 10)));
        var pass = new JobPhase("Label transfer", 6, 9, 0.43, 43_000, 100_000, TimeSpan.FromSeconds(26), TimeSpan.FromSeconds(35));

        Notifier.Publish(Event("job1", JobEventType.Progress,
            training: Step(10, 4) with { Phase = TrainingPhase.Pass, Fraction = 0.8, PassProgress = pass, Remaining = TimeSpan.FromSeconds(50) }));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Label transfer", cut.Find("[data-testid=training-pass]").TextContent.Trim());
            Assert.Equal("Label transfer · pass 6/9 · 43,000 / 100,000 · 80%", cut.Find("[data-testid=training-status]").TextContent.Trim());
            Assert.Equal("80", cut.Find("[data-testid=training-progress]").GetAttribute("aria-valuenow"));
            Assert.Contains("ETA 0:50 (label transfer: 0:35)", cut.Markup);
        });
    }

    [Fact]
    public void Render_RunningJobInItsEpochsPass_NamesThePassBesideTheEpoch()
    {
        var job = Job("job1", JobState.Running, 3);
        job = job with { Training = job.Training! with { PassProgress = new JobPhase("Epochs", 4, 9, 0.25, 10, 40) } };

        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, job));

        Assert.Equal("Epochs", cut.Find("[data-testid=training-pass]").TextContent.Trim());
        Assert.Equal("Epoch 3/10 · step 2/4 · train loss 0.5000 · pass 4/9 · 25%", cut.Find("[data-testid=training-status]").TextContent.Trim());
    }

    [Fact]
    public void FinishedJob_ShowsNoPassChip()
    {
        var job = Job("job1", JobState.Finished, 3);
        job = job with { Training = job.Training! with { PassProgress = new JobPhase("Activation", 9, 9, 1, 1, 1) } };

        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, job));

        Assert.Empty(cut.FindAll("[data-testid=training-pass]"));
    }

    [Fact]
    public void EpochEvent_AlreadyInTheSnapshot_IsNotDrawnTwice()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, Job("job1", JobState.Running, 3)));

        Notifier.Publish(Event("job1", JobEventType.Epoch, training: Step(3, 4), epoch: Epoch(3), message: "Epoch 3 again"));

        cut.WaitForAssertion(() => Assert.Contains("Epoch 3 again", cut.Find("[data-testid=training-log]").TextContent));
        Assert.Equal("3", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));
    }

    [Fact]
    public void StartedEvent_ForAnotherJob_ReplacesTheCurve()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, Job("old", JobState.Finished, 3)));

        Notifier.Publish(Event("new", JobEventType.Started, Job("new", JobState.Running, 0), message: "Started: Train 10 epochs"));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("0", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));
            Assert.Equal("Running", cut.Find("[data-testid=training-state]").TextContent.Trim());
            Assert.Single(cut.FindAll("[data-testid=training-log] li"));
        });
    }

    [Fact]
    public void QueuedEvent_WhileAnotherJobRuns_KeepsShowingTheRunningOne()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, Job("running", JobState.Running, 3)));

        Notifier.Publish(Event("later", JobEventType.Queued, Job("later", JobState.Queued, 0), message: "Queued: Train 10 epochs"));
        Notifier.Publish(Event("running", JobEventType.Epoch, training: Step(4, 4), epoch: Epoch(4)));

        cut.WaitForAssertion(() => Assert.Equal("4", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points")));
        Assert.Equal("Running", cut.Find("[data-testid=training-state]").TextContent.Trim());
        Assert.DoesNotContain("Queued: Train", cut.Find("[data-testid=training-log]").TextContent);
    }

    [Fact]
    public void FailedEvent_ShowsTheReason()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, Job("job1", JobState.Running, 1)));

        var failed = Job("job1", JobState.Failed, 1) with { Error = "Training needs at least 2 labels." };
        Notifier.Publish(Event("job1", JobEventType.Failed, failed, message: "Failed: Training needs at least 2 labels."));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Failed", cut.Find("[data-testid=training-state]").TextContent.Trim());
            Assert.Contains("Training needs at least 2 labels.", cut.Find(".mud-alert").TextContent);
        });
    }

    [Fact]
    public void Render_NoJobButABaselineModel_DrawsItsLearningCurve()
    {
        var baseline = new ModelVersionInfo(1, DateTime.UtcNow, new TrainingOptions(), "head", [], 10, 3, 2, [Epoch(1), Epoch(2)], null, 1.5, true);

        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Baseline, baseline));

        Assert.Equal("2", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));
        Assert.Equal("0", cut.Find("[data-testid=training-progress]").GetAttribute("aria-valuenow"));
        Assert.Contains("active model, v1", cut.Find("[data-testid=training-status]").TextContent);
    }
}

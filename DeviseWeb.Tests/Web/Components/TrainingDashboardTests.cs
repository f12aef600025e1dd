using Bunit;
using DeviseWeb.Components.Pages.Training;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.Extensions.DependencyInjection;

namespace DeviseWeb.Tests.Web.Components;

public sealed class TrainingDashboardTests : BunitTestBase
{
    private readonly TrainingNotifier _notifier = new();

    public TrainingDashboardTests() => Context.Services.AddSingleton(_notifier);

    private static TrainingProgress Step(int epoch, int step, TimeSpan? remaining = null) =>
        new(TrainingPhase.Step, epoch, 10, step, 4, 0.5, null, 0.001, TimeSpan.FromSeconds(epoch * 2), remaining ?? TimeSpan.FromSeconds(30));

    private static EpochMetrics Epoch(int epoch) => new(epoch, 0.6 - epoch * 0.05, 0.55 - epoch * 0.03, 0.001, epoch * 2.0);

    private static TrainingJobSnapshot RunningJob(string id, int epochs) => new(
        id, new TrainingOptions { Epochs = 10 }, TrainingJobState.Running, DateTime.UtcNow, null, Step(epochs, 2),
        Enumerable.Range(1, epochs).Select(Epoch).ToList(), ["12:00:00 Started: 10 epochs", "12:00:02 Epoch 1/10: train loss 0.55"], null, null);

    [Fact]
    public void Render_FromRunningSnapshot_ShowsProgressCurveAndLog()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, RunningJob("job1", 3)));

        var progress = cut.Find("[data-testid=training-progress]");
        Assert.Equal("progressbar", progress.GetAttribute("role"));
        Assert.Equal("25", progress.GetAttribute("aria-valuenow")); // epoch 3, step 2 of 4, 10 epochs: 10/40
        Assert.Equal("3", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));
        Assert.NotNull(cut.Find("[data-testid=loss-chart] svg"));
        Assert.Contains("ETA 0:30", cut.Markup);
        Assert.Equal("Running", cut.Find("[data-testid=training-state]").TextContent.Trim());
        var log = cut.FindAll("[data-testid=training-log] li").Select(li => li.TextContent).ToList();
        Assert.Equal(["12:00:02 Epoch 1/10: train loss 0.55", "12:00:00 Started: 10 epochs"], log);
    }

    [Fact]
    public void EpochEvent_ForTheShownJob_AddsAChartPointAndMovesTheProgress()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, RunningJob("job1", 3)));

        _notifier.Publish(new TrainingJobEvent("job1", TrainingJobEventKind.Epoch, DateTime.UtcNow,
            new TrainingProgress(TrainingPhase.Epoch, 4, 10, 4, 4, 0.4, 0.43, 0.001, TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12)),
            Epoch(4), Message: "Epoch 4/10: train loss 0.4000, validation loss 0.4300"));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("4", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));
            Assert.Equal("40", cut.Find("[data-testid=training-progress]").GetAttribute("aria-valuenow"));
            Assert.Contains("Epoch 4/10: train loss 0.4000", cut.Find("[data-testid=training-log]").TextContent);
        });
    }

    [Fact]
    public void EpochEvent_AlreadyInTheSnapshot_IsNotDrawnTwice()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, RunningJob("job1", 3)));

        _notifier.Publish(new TrainingJobEvent("job1", TrainingJobEventKind.Epoch, DateTime.UtcNow, Step(3, 4), Epoch(3)));

        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points")));
    }

    [Fact]
    public void StartedEvent_ForAnotherJob_ReplacesTheCurve()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, RunningJob("old", 3) with { State = TrainingJobState.Finished }));

        _notifier.Publish(new TrainingJobEvent("new", TrainingJobEventKind.Started, DateTime.UtcNow, Message: "Started: 10 epochs"));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("0", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));
            Assert.Equal("Running", cut.Find("[data-testid=training-state]").TextContent.Trim());
            Assert.Single(cut.FindAll("[data-testid=training-log] li"));
        });
    }

    [Fact]
    public void FailedEvent_ShowsTheReason()
    {
        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Job, RunningJob("job1", 1)));

        _notifier.Publish(new TrainingJobEvent("job1", TrainingJobEventKind.Failed, DateTime.UtcNow, Message: "Failed: Training needs at least 2 labels."));

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Failed", cut.Find("[data-testid=training-state]").TextContent.Trim());
            Assert.Contains("Training needs at least 2 labels.", cut.Find(".mud-alert").TextContent);
        });
    }

    [Fact]
    public void Render_NoJobButABaselineModel_DrawsItsLearningCurve()
    {
        var baseline = new DeviseWeb.Engine.ModelVersionInfo(1, DateTime.UtcNow, new TrainingOptions(), "head", [], 10, 3, 2,
            [Epoch(1), Epoch(2)], null, 1.5, true);

        var cut = Context.Render<TrainingDashboard>(p => p.Add(x => x.Baseline, baseline));

        Assert.Equal("2", cut.Find("[data-testid=loss-chart]").GetAttribute("data-points"));
        Assert.Equal("0", cut.Find("[data-testid=training-progress]").GetAttribute("aria-valuenow"));
        Assert.Contains("active model, v1", cut.Find("[data-testid=training-status]").TextContent);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _notifier.Dispose();
    }
}

using Bunit;
using DeviseWeb.Components.Pages.Training;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Web.Components;

[Collection(TrainedEngineCollection.Name)]
public sealed class TrainingPageTests(TrainedEngineFixture fixture) : BunitTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    /// <summary>Long enough to still run while the test looks; never activated, and cancelled before it saves anything.</summary>
    private static readonly TrainingOptions LongRun = TrainedEngineFixture.TrainingOptions with { Epochs = 10_000, Activate = false };

    [Fact]
    public async Task Render_MidRun_ReattachesToTheRunningJobAndCancelStopsIt()
    {
        var runner = AddDeviseServices(fixture.Engine);
        var job = runner.Start(LongRun);
        try
        {
            var cut = Context.Render<TrainingPage>();

            cut.WaitForAssertion(() =>
            {
                Assert.Equal("running", cut.Find("[data-testid=training-dashboard]").GetAttribute("data-state"));
                Assert.Contains(job.Id, cut.Markup);
                Assert.True(int.Parse(cut.Find("[data-testid=loss-chart]").GetAttribute("data-points")!) >= 1);
            }, Wait);
            cut.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel training").Click();

            await runner.WaitAsync(job.Id).WaitAsync(Wait);
            cut.WaitForAssertion(() => Assert.Equal("cancelled", cut.Find("[data-testid=training-dashboard]").GetAttribute("data-state")), Wait);
        }
        finally
        {
            runner.Cancel(job.Id);
            await runner.WaitAsync(job.Id);
        }
    }
}

using Bunit;
using DeviseWeb.Components.Pages.Training;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Web.Components;

[Collection(TrainedEngineCollection.Name)]
public sealed class TrainingFormTests(TrainedEngineFixture fixture) : BunitTestBase
{
    /// <summary>Long enough to still run while the test looks; never activated, and cancelled before it saves anything.</summary>
    private static readonly TrainingOptions LongRun = TrainedEngineFixture.TrainingOptions with { Epochs = 10_000, Activate = false };

    [Fact]
    public async Task StartTraining_WhileAJobRuns_ShowsTheBusyMessage()
    {
        var runner = AddDeviseServices(fixture.Engine);
        var job = runner.Start(LongRun);
        try
        {
            var cut = Context.Render<TrainingForm>(p => p.Add(x => x.Job, job));

            cut.Find("form").Submit();

            Assert.Contains($"A training job ({job.Id}) is already running", cut.Find("[data-testid=training-error]").TextContent);
        }
        finally
        {
            runner.Cancel(job.Id);
            await runner.WaitAsync(job.Id);
        }
    }

    [Fact]
    public async Task StartTraining_FromTheForm_StartsAJobWithTheFormsHyperparameters()
    {
        var runner = AddDeviseServices(fixture.Engine);
        var cut = Context.Render<TrainingForm>();
        TrainingJobSnapshot? started = null;
        try
        {
            cut.Find("input#training-epochs").Input("5000");
            cut.Find("input#training-batch-size").Input("16");
            cut.Find("input#training-seed").Input("9");
            cut.Find("form").Submit();

            started = runner.Current;
            Assert.NotNull(started);
            Assert.Equal((5000, 16, 9), (started.Options.Epochs, started.Options.BatchSize, started.Options.Seed));
            Assert.Empty(cut.FindAll("[data-testid=training-error]"));
        }
        finally
        {
            if (started is not null)
            {
                runner.Cancel(started.Id);
                await runner.WaitAsync(started.Id);
            }
        }
    }
}

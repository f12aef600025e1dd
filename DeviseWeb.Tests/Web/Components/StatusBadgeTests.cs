using Bunit;
using DeviseWeb.Components.Layout;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Web.Integration;

namespace DeviseWeb.Tests.Web.Components;

[Collection(WebAppCollection.Name)]
public sealed class StatusBadgeTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Render_WhileATrainingJobRuns_ShowsItWithItsProgressUntilItEnds()
    {
        var jobs = Get<JobQueue>();
        var cut = Context.Render<StatusBadge>();
        Assert.Contains($"Model v{Get<ModelService>().ActiveModelId}", cut.Markup);
        Assert.Empty(cut.FindAll("[data-testid=running-job]"));
        var job = jobs.Enqueue(new JobRequest { Kind = JobKind.Training, Training = new TrainingOptions { Epochs = 10_000, HeldOutLabelCount = 0, Activate = false } });
        try
        {
            cut.WaitForAssertion(() => Assert.Matches(@"^Training \d+%$", cut.Find("[data-testid=running-job]").TextContent.Trim()), Wait);

            jobs.Cancel(job.Id);
            await jobs.WaitAsync(job.Id);

            cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=running-job]")), Wait);
        }
        finally
        {
            jobs.Cancel(job.Id);
            await jobs.WaitAsync(job.Id);
        }
    }
}

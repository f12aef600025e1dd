using Bunit;
using DeviseWeb.Components.Pages.Training;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Web.Integration;
using MudBlazor;

namespace DeviseWeb.Tests.Web.Components;

[Collection(WebAppCollection.Name)]
public sealed class RunHistoryTests(DeviseWebFactory app) : BunitTestBase(app.Services)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public void Render_ListsEveryVersionWithMetricsAndMarksTheActiveOne()
    {
        var cut = Context.Render<RunHistory>();

        var models = Get<ModelService>();
        var rows = cut.FindAll("[data-testid=run-history] tr[data-testid=run-row]");
        Assert.Equal(models.List().Count, rows.Count);
        var active = rows.Single(r => r.GetAttribute("data-model-id") == models.ActiveModelId.ToString());
        Assert.Contains("Active", active.TextContent);
        Assert.Contains("chance", active.TextContent);
        Assert.Contains($"{WebTestData.TemplateEpochs} epochs", active.TextContent);
    }

    [Fact]
    public void Render_VersionWithAnEvaluationSet_ShowsItsPrecisionBesideItsChance()
    {
        var cut = Context.Render<RunHistory>();

        var models = Get<ModelService>();
        var report = models.Get(models.ActiveModelId!.Value).Evaluation!;
        var active = cut.Find($"tr[data-model-id='{models.ActiveModelId}']");
        Assert.NotNull(report.PhotoExactPrecisionAt5);
        Assert.Contains("%", active.QuerySelector("[data-testid=photo-exact]")!.TextContent);
        Assert.Contains("chance", active.QuerySelector("[data-testid=photo-exact]")!.TextContent);
        Assert.Contains("chance", active.QuerySelector("[data-testid=photo-broader]")!.TextContent);
        Assert.Contains("chance", active.QuerySelector("[data-testid=photo-everyday]")!.TextContent);
        Assert.Contains("chance", active.QuerySelector("[data-testid=photo-to-photo]")!.TextContent);
        Assert.Contains("Evaluation P@5", cut.Find("[data-testid=run-history] thead").TextContent);
    }

    [Fact]
    public void Method_NonDefaultOptions_AreNamedInTheSettings()
    {
        var conse = RunHistory.Method(new TrainingOptions { Mapping = MappingKind.ConSE, TransferWeight = 0.5 });
        var defaults = RunHistory.Method(new TrainingOptions());

        Assert.Equal(" · ConSE top 10 · CORAL · label transfer 0.5", conse); // hypernym targets shape DeViSE's targets only
        Assert.Equal(" · hypernyms 0.3 · CORAL · label transfer 0.5", defaults); // in the pipeline's order
        Assert.Equal("", RunHistory.Method(new TrainingOptions { TransferWeight = 0, AlignFeatures = false, Mapping = MappingKind.Devise, HypernymWeight = 0 }));
    }

    [Fact]
    public async Task Activate_AnotherVersion_QueuesAnActivationJobThatMakesItActive()
    {
        // Arrange: a second version beside the template's, not activated.
        var jobs = Get<JobQueue>();
        var models = Get<ModelService>();
        int template = models.ActiveModelId!.Value;
        var trained = await jobs.WaitAsync(jobs.Enqueue(new JobRequest
        {
            Kind = JobKind.Training, Training = new TrainingOptions { Epochs = 2, HeldOutLabelCount = 0, Seed = 11, Activate = false },
        }).Id);
        int other = trained.Result!.Model!.Id;
        var cut = Context.Render<RunHistory>();
        try
        {
            // Act
            cut.Find($"tr[data-model-id='{other}']").QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Activate").Click();

            // Assert: the job ran, the row says so, and the page said so.
            cut.WaitForAssertion(() =>
            {
                Assert.Contains("Active", cut.Find($"tr[data-model-id='{other}']").TextContent);
                Assert.Contains($"Version {other} is active: searches use it now.", Get<ISnackbar>().ShownSnackbars.Select(s => s.Message));
            }, Wait);
            Assert.Equal(other, models.ActiveModelId);
            var activation = jobs.Latest(JobKind.Activation);
            Assert.Equal((other, JobState.Finished), (activation!.Request.ModelId!.Value, activation.State));
            Assert.Empty(cut.FindAll("[data-testid=activating]"));
        }
        finally
        {
            await jobs.WaitAsync(jobs.Enqueue(new JobRequest { Kind = JobKind.Activation, ModelId = template }).Id);
        }
    }

    [Fact]
    public void Evaluate_ActiveVersion_QueuesAnEvaluationJobAndTheRowShowsItsNewFigures()
    {
        // Arrange
        var models = Get<ModelService>();
        int active = models.ActiveModelId!.Value;
        var before = models.Get(active).Evaluation!.EvaluatedUtc;
        var cut = Context.Render<RunHistory>();

        // Act
        cut.Find($"tr[data-model-id='{active}']").QuerySelectorAll("button").Single(b => b.TextContent.Trim() == "Evaluate").Click();

        // Assert: the job ran, the version keeps its new figures, and the page said so.
        cut.WaitForAssertion(() =>
            Assert.Contains($"Version {active} evaluated: its row shows the new figures.", Get<ISnackbar>().ShownSnackbars.Select(s => s.Message)), Wait);
        var job = Get<JobQueue>().Latest(JobKind.Evaluation)!;
        Assert.Equal((active, JobState.Finished), (job.Request.ModelId, job.State));
        Assert.True(models.Get(active).Evaluation!.EvaluatedUtc > before);
        Assert.Contains("chance", cut.Find($"tr[data-model-id='{active}'] [data-testid=photo-exact]").TextContent);
        // Only the eval job makes copies of the evaluation images and looks for them: every one found first.
        Assert.Contains("100", cut.Find($"tr[data-model-id='{active}'] [data-testid=copies-first]").TextContent);
    }
}

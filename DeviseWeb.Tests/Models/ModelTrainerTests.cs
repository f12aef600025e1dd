using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Models;

/// <summary>Training through the Training job, on real demo images: the template's own run, and runs of its own.</summary>
[Collection(TrainedEngineCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class ModelTrainerTests(TrainedEngineFixture shared)
{
    private ModelVersionInfo Template => shared.Get<ModelService>().List()[0];

    [Fact]
    public void Train_RealDemoImages_LowersValidationLossAndRetrievesFarAboveChance()
    {
        var history = Template.History;
        var report = Template.Evaluation!;

        Assert.Equal(TemplateData.Epochs, history.Count);
        Assert.True(history[^1].ValidationLoss < history[0].ValidationLoss - 0.3,
            $"validation loss {history[0].ValidationLoss:0.000} → {history[^1].ValidationLoss:0.000}");
        Assert.True(report.SeenPrecisionAt9!.Value >= 0.6, $"precision@9 {report.SeenPrecisionAt9.Value:P0}");
        Assert.True(report.SeenPrecisionAt9.Value > 8 * report.SeenPrecisionAt9.Chance, $"chance {report.SeenPrecisionAt9.Chance:P0}");
        Assert.True(report.ValidationHit1!.Value >= 0.6, $"validation hit@1 {report.ValidationHit1.Value:P0}");
        Assert.True(report.ValidationHit1.Value > 8 * report.ValidationHit1.Chance, $"chance {report.ValidationHit1.Chance:P0}");
    }

    [Fact]
    public void Train_GalleryWithEvaluationImages_FindsThemByTextFarAboveChanceWithoutTrainingOnThem()
    {
        var report = Template.Evaluation!;

        Assert.Equal(TemplateData.EvaluationCount, report.PhotoImageCount);
        Assert.InRange(report.PhotoImageCount, 30, 60); // the demo's photo cut-outs and scenes among the template's labels
        var exact = report.PhotoExactPrecisionAt5!;
        Assert.True(exact.Value > 2.5 * exact.Chance && exact.Value > exact.Chance + 0.25, $"photo P@5 {exact.Value:P0}, chance {exact.Chance:P0}");
        var broader = report.PhotoBroaderPrecisionAt5!;
        Assert.True(broader.Value > 1.5 * broader.Chance, $"photo P@5 broader {broader.Value:P0}, chance {broader.Chance:P0}");
    }

    [Theory]
    [InlineData(MappingKind.ConSE, 0.0)]
    [InlineData(MappingKind.Devise, 0.5)]
    public async Task TrainingJob_MethodOptions_TrainsAVersionThatRetrievesAndEmbedsNewImages(MappingKind mapping, double transfer)
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var options = TemplateData.TrainingOptions with { Epochs = 15, Mapping = mapping, TransferWeight = transfer, Activate = false };

        var version = await engine.TrainAsync(options);
        var report = version.Evaluation!;
        await engine.ActivateAsync(version.Id); // loads the version from the store: its head and mapping rebuilt from the record
        var import = await engine.ImportAsync(TestData.CopySubset([TemplateData.NotImported[0].Label]));

        Assert.Equal(1, import.Added);
        Assert.Equal(TemplateData.ImageCount + 1, engine.Get<ModelService>().IndexedCount);
        Assert.True(report.SeenPrecisionAt9!.Value > 6 * report.SeenPrecisionAt9.Chance, $"precision@9 {report.SeenPrecisionAt9.Value:P0}");
        var evaluation = report.PhotoExactPrecisionAt5!;
        Assert.True(evaluation.Value > 2 * evaluation.Chance, $"evaluation P@5 {evaluation.Value:P0}, chance {evaluation.Chance:P0}");
        Assert.Equal(mapping == MappingKind.ConSE, version.Architecture.StartsWith("ConSE", StringComparison.Ordinal));
        Assert.Equal(transfer > 0, version.Architecture.Contains("label transfer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TrainingJob_TrainsOneHead_ItsProgressNamesEveryPassInOrderToTheEndAndTheLogNamesTheEvaluation()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var events = new List<JobEvent>();
        using var _ = engine.Get<JobQueue>().Subscribe(e => { lock (events) events.Add(e); });
        var options = TemplateData.TrainingOptions with { Epochs = 4 };

        var job = await engine.RunJobAsync(new JobRequest { Kind = JobKind.Training, Training = options });

        Assert.Equal(JobState.Finished, job.State);
        List<TrainingProgress> training;
        lock (events) training = events.Where(e => e.Training is not null).Select(e => e.Training!).ToList();
        Assert.All(training, t => Assert.Equal(4, t.Epochs)); // one head: no second pass trained without the photographs
        Assert.Equal(4, job.Epochs.Count);
        Assert.Contains(job.Log, l => l.Contains($"Evaluating on {TemplateData.EvaluationCount} evaluation images", StringComparison.Ordinal));
        Assert.NotNull(job.Result?.Model?.Evaluation?.PhotoExactPrecisionAt5);

        // Every pass of the plan, in its order, each to its own end; the run's fraction never goes back and ends at 1.
        var version = job.Result!.Model!;
        var plan = TrainingPlan.Passes(options, new TrainingSize(TemplateData.ImageCount, version.TrainCount, version.ValidationCount,
            TemplateData.Labels.Count, 512, 384)).Select(p => TrainingPlan.NameOf(p.Pass)).ToList();
        Assert.Equal(Enum.GetValues<TrainingPass>().Select(TrainingPlan.NameOf), plan); // a default run makes every pass
        var passes = training.Select(t => t.PassProgress!).ToList();
        Assert.Equal(plan, passes.Select(p => p.Name).Where((name, i) => i == 0 || name != passes[i - 1].Name));
        Assert.All(passes, p => Assert.Equal((plan.IndexOf(p.Name) + 1, plan.Count), (p.Number, p.Count)));
        Assert.All(plan, name => Assert.Equal(1.0, passes.Where(p => p.Name == name).Max(p => p.Fraction)));
        Assert.Equal(training.Select(t => t.Fraction).Order(), training.Select(t => t.Fraction));
        Assert.Equal(1.0, training[^1].Fraction, 6);
        Assert.Contains(training, t => t.PassProgress is { Done: > 0, Fraction: < 1, Remaining: not null } && t.Remaining is not null);
        // The stored job, as a page opened later reads it, names the last pass.
        var stored = engine.Get<JobRepository>().Find(job.Id)!;
        Assert.Equal(plan[^1], stored.Training?.PassProgress?.Name);
        Assert.Equal(plan[^1], stored.Progress?.Phase?.Name);
    }

    [Fact]
    public void Train_EvaluationImages_AreInNoSplitAndOutOfLabelTransfersReference()
    {
        var record = shared.Get<ModelRepository>().Find(Template.Id)!;
        var evaluation = shared.Get<ImageRepository>().EvaluationIds();

        Assert.Equal(TemplateData.EvaluationCount, evaluation.Count);
        // Label transfer's reference is the training images: none of them is evaluation-only.
        Assert.Empty(evaluation.Intersect(record.TrainImageIds.Concat(record.ValidationImageIds).Concat(record.HeldOutImageIds)));
        Assert.All(evaluation, id => Assert.Equal(SplitKind.Evaluation, shared.Get<GalleryService>().Get(id).Split));
        Assert.All(evaluation, id => Assert.True(LoadedIndexHas(id))); // embedded and searchable
    }

    private bool LoadedIndexHas(int id)
    {
        using var lease = shared.Get<ModelService>().Acquire();
        return lease.Model.Index.Contains(id);
    }

    [Fact]
    public void Train_HeldOutLabel_KeepsItsImagesOutOfTrainingAndValidation()
    {
        int bears = TemplateData.CountOf(TemplateData.HeldOutLabel) - TemplateData.EvaluationFiles(TemplateData.HeldOutLabel).Count;

        Assert.Equal([TemplateData.HeldOutLabel], Template.HeldOutLabels);
        Assert.Equal(bears, Template.HeldOutCount);
        Assert.Equal(TemplateData.ImageCount - TemplateData.EvaluationCount - bears, Template.TrainCount + Template.ValidationCount);
        Assert.InRange(Template.ValidationCount, Template.TrainCount / 4, Template.TrainCount / 2);
    }

    [Fact]
    public void TrainingJob_BadOptions_IsRefusedNamingEveryProblem()
    {
        var queue = shared.Get<JobQueue>();
        var options = new TrainingOptions { Epochs = 0, LearningRate = -1, BatchSize = 0, Dropout = 1, HypernymWeight = 1 };
        var before = queue.Recent().Select(j => j.Id).ToList();

        var error = Assert.Throws<InvalidInputException>(() => queue.Enqueue(new JobRequest { Kind = JobKind.Training, Training = options }));

        Assert.Contains("Epochs", error.Message);
        Assert.Contains("LearningRate", error.Message);
        Assert.Contains("BatchSize", error.Message);
        Assert.Contains("Dropout", error.Message);
        Assert.Contains("HypernymWeight", error.Message);
        Assert.Throws<InvalidInputException>(() => queue.Enqueue(new JobRequest { Kind = JobKind.Training }));
        Assert.Equal(before, queue.Recent().Select(j => j.Id));
    }

    [Fact]
    public async Task TrainingJob_ActivateFalse_SavesAVersionAndKeepsTheActiveOne()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var models = engine.Get<ModelService>();
        int active = models.ActiveModelId!.Value;

        var version = await engine.TrainAsync(new TrainingOptions { Epochs = 2, HeldOutLabelCount = 2, Seed = 5, Activate = false });

        Assert.False(version.IsActive);
        Assert.Equal(active, models.ActiveModelId);
        Assert.Equal([active, version.Id], models.List().Select(m => m.Id));
        Assert.Equal(2, models.Get(version.Id).HeldOutLabels.Count);
        Assert.Equal(2, version.History.Count);
    }

    [Fact]
    public async Task TrainingJob_OneLabel_FailsSayingTwoLabelsAreNeeded()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        await engine.ImportAsync(TestData.CopySubset(["moon"]));

        var job = await engine.RunJobAsync(new JobRequest { Kind = JobKind.Training, Training = new TrainingOptions { HeldOutLabelCount = 0 } });

        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("at least 2 labels", job.Error);
        Assert.Empty(engine.Get<ModelService>().List());
    }

    [Fact]
    public async Task TrainingJob_UnknownHeldOutLabel_FailsNamingIt()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();

        var job = await engine.RunJobAsync(new JobRequest
        {
            Kind = JobKind.Training, Training = new TrainingOptions { Epochs = 1, HeldOutLabelCount = 0, HeldOutLabels = ["unicorn"] },
        });

        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains("unicorn", job.Error);
        Assert.Single(engine.Get<ModelService>().List());
    }
}

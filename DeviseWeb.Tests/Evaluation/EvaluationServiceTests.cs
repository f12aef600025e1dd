using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Evaluation;

/// <summary>
/// Measuring a model version from its own embeddings, on its split and on the evaluation set (images never trained on),
/// each test on a private copy of the template so the gallery is exactly as built.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class EvaluationServiceTests
{
    [Fact]
    public async Task Evaluate_ActiveVersionOnAnUnchangedGallery_MatchesTheReportSavedWithIt()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var saved = engine.Get<ModelService>().List()[0].Evaluation!;

        var report = engine.Get<EvaluationService>().Evaluate();

        // Training measured it the same way, from the same embeddings; only the eval job makes copies and looks for them.
        Assert.Equal(saved, report with { EvaluatedUtc = saved.EvaluatedUtc, DuplicateHit1 = null });
        Assert.True(report.EvaluatedUtc > saved.EvaluatedUtc);
        Assert.Equal(new Metric(1, 1.0 / TemplateData.ImageCount, DuplicateProbe.CopiesPerImage * TemplateData.EvaluationCount), report.DuplicateHit1);
    }

    [Fact]
    public async Task Evaluate_Template_CountsItsSplitAndSetsEachFigureBesideChance()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var version = engine.Get<ModelService>().List()[0];
        int labels = TemplateData.Labels.Count;

        var report = engine.Get<EvaluationService>().Evaluate(version.Id);

        Assert.Equal((labels, TemplateData.ImageCount), (report.LabelCount, report.ImageCount));
        Assert.Equal(new Metric(report.ValidationHit1!.Value, 1.0 / labels, version.ValidationCount), report.ValidationHit1);
        Assert.Equal(new Metric(report.ZeroShotHit5!.Value, 5.0 / labels, version.HeldOutCount), report.ZeroShotHit5);
        Assert.Equal(labels - 1, report.SeenPrecisionAt9!.Count);
        Assert.Equal(1, report.HeldOutPrecisionAt9!.Count);
        // Precision@9 of a label with 4 images is at most 4/9.
        Assert.Equal(TemplateData.CountOf(TemplateData.HeldOutLabel) / 9.0, report.HeldOutPrecisionAt9.Best, 6);
        Assert.True(report.HeldOutPrecisionAt9.Value > 4 * report.HeldOutPrecisionAt9.Chance,
            $"zero-shot precision@9 {report.HeldOutPrecisionAt9.Value:P0}, chance {report.HeldOutPrecisionAt9.Chance:P1}");
        Assert.Equal(report.ValidationLoss, version.History[^1].ValidationLoss);
        // The evaluation set (fish, cat, dog and pig photographs, tree scenes): its everyday words and photo → photo.
        Assert.Equal(TemplateData.EvaluationCount, report.PhotoImageCount);
        Assert.True(report.EverydayPrecisionAt5 is { Count: >= 5 } everyday && everyday.Value > everyday.Chance, $"{report.EverydayPrecisionAt5}");
        Assert.True(report.PhotoToPhotoPrecisionAt5 is { } photos && photos.Value > photos.Chance, $"{report.PhotoToPhotoPrecisionAt5}");
    }

    [Fact]
    public async Task Evaluate_AfterDeletingImages_MeasuresTheGalleryAsItIsNow()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var gallery = engine.Get<GalleryService>();
        var version = engine.Get<ModelService>().List()[0];
        var bears = gallery.List(new ImageQuery(TemplateData.HeldOutLabel)).Items;
        var evaluation = gallery.List(new ImageQuery(Split: SplitKind.Evaluation)).Items;
        gallery.Delete([bears.First(i => i.Split == SplitKind.HeldOut).Id, evaluation[0].Id]);

        var report = engine.Get<EvaluationService>().Evaluate();

        Assert.Equal(TemplateData.ImageCount - 2, report.ImageCount);
        Assert.Equal(version.HeldOutCount - 1, report.ZeroShotHit1!.Count);
        Assert.Equal(TemplateData.EvaluationCount - 1, report.PhotoImageCount);
    }

    [Fact]
    public async Task EvaluationJob_AnotherVersion_ReportsProgressAndKeepsItsFiguresWithTheVersion()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var models = engine.Get<ModelService>();
        var other = await engine.TrainAsync(TemplateData.TrainingOptions with { Epochs = 3, Seed = 8, Activate = false });
        var events = new List<JobEvent>();
        using var _ = engine.Get<JobQueue>().Subscribe(e => { lock (events) events.Add(e); });

        var job = await engine.RunJobAsync(new JobRequest { Kind = JobKind.Evaluation, ModelId = other.Id });

        Assert.Equal(JobState.Finished, job.State);
        var report = job.Result!.Evaluation!;
        var stored = models.Get(other.Id).Evaluation!;
        Assert.Equal(report with { EvaluatedUtc = null }, stored with { EvaluatedUtc = null }); // stored with the version, as the Training page reads it
        Assert.InRange((stored.EvaluatedUtc!.Value - report.EvaluatedUtc!.Value).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(1)); // the store keeps milliseconds
        Assert.Equal(other.Id, job.Result.Model!.Id);
        Assert.Equal(TemplateData.EvaluationCount, report.PhotoImageCount);
        Assert.True(report.PhotoExactPrecisionAt5!.Value > 2 * report.PhotoExactPrecisionAt5.Chance, $"{report.PhotoExactPrecisionAt5}");
        lock (events)
            Assert.Contains(events, e => e.JobId == job.Id && e.Type == JobEventType.Progress && e.Progress?.Phase is { Name: "Measuring", Fraction: 1 });
        Assert.Equal(1.0, job.Progress!.Fraction);
        Assert.NotEqual(other.Id, models.ActiveModelId); // evaluating does not activate
    }

    [Fact]
    public async Task Evaluate_Cancelled_ThrowsAndKeepsTheStoredFigures()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var saved = engine.Get<ModelService>().List()[0].Evaluation;

        Assert.ThrowsAny<OperationCanceledException>(() => engine.Get<EvaluationService>().Evaluate(null, null, new CancellationToken(canceled: true)));

        Assert.Equal(saved, engine.Get<ModelService>().List()[0].Evaluation);
    }

    [Fact]
    public async Task Evaluate_VersionThatTrainedOnTheEvaluationImages_KeepsTheFiguresItsTrainingMeasured()
    {
        // A version trained before its gallery's images were marked trained on them: they measure nothing about it,
        // so the figures its training measured then (with a second head, in that release) stay.
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var repository = engine.Get<ModelRepository>();
        var template = repository.Find(engine.Get<ModelService>().ActiveModelId!.Value)!;
        var stored = new Metric(0.37, 0.015, 220);
        var old = repository.Add(new ModelRecord
        {
            CreatedUtc = DateTime.UtcNow, OptionsVersion = ModelRecord.CurrentOptionsVersion, Options = template.Options, Backbone = template.Backbone,
            TextEncoder = template.TextEncoder, Architecture = template.Architecture, FeatureDimension = template.FeatureDimension,
            EmbeddingDimension = template.EmbeddingDimension, Labels = template.Labels, HeldOutLabels = template.HeldOutLabels,
            TrainImageIds = [.. template.TrainImageIds, .. engine.Get<ImageRepository>().EvaluationIds()], ValidationImageIds = template.ValidationImageIds,
            HeldOutImageIds = template.HeldOutImageIds, History = template.History, DurationSeconds = 1, Completed = true,
            Evaluation = template.Evaluation! with { PhotoExactPrecisionAt5 = stored, PhotoBroaderPrecisionAt5 = null, PhotoImageCount = 337 },
        }, repository.Weights(template.Id)!);

        var report = engine.Get<EvaluationService>().Evaluate(old.Id);

        Assert.Equal((stored, 337), (report.PhotoExactPrecisionAt5, report.PhotoImageCount));
        Assert.NotNull(report.SeenPrecisionAt9); // the gallery figures are measured again
    }

    [Fact]
    public async Task Evaluate_UnknownVersionOrNoModel_ThrowsTypedErrors()
    {
        await using var empty = await EngineHost.StartEmptyAsync();
        await using var trained = await EngineHost.StartOnTemplateAsync();

        Assert.Throws<ConflictException>(() => empty.Get<EvaluationService>().Evaluate());
        Assert.Throws<NotFoundException>(() => trained.Get<EvaluationService>().Evaluate(999));
    }
}

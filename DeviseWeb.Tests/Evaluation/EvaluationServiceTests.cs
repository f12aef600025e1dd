using DeviseWeb.Engine;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Evaluation;

/// <summary>Re-measuring a model version on its own split, each on a private copy of the template so the gallery is exactly as built.</summary>
public sealed class EvaluationServiceTests
{
    [Fact]
    public async Task Evaluate_ActiveVersionOnAnUnchangedGallery_MatchesTheReportSavedWithIt()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var saved = engine.Get<ModelService>().List()[0].Evaluation!;

        var report = engine.Get<EvaluationService>().Evaluate();

        Assert.Equal(saved, report);
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
    }

    [Fact]
    public async Task Evaluate_AfterDeletingImages_MeasuresTheGalleryAsItIsNow()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var gallery = engine.Get<GalleryService>();
        var bears = gallery.List(new ImageQuery(TemplateData.HeldOutLabel)).Items.Take(2).Select(i => i.Id).ToList();
        gallery.Delete(bears);

        var report = engine.Get<EvaluationService>().Evaluate();

        Assert.Equal(TemplateData.ImageCount - 2, report.ImageCount);
        Assert.Equal(TemplateData.CountOf(TemplateData.HeldOutLabel) - 2, report.ZeroShotHit1!.Count);
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

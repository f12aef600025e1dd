using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Features;

/// <summary>
/// The views job and training on its views, on real demo images through the real backbone: one small gallery with
/// its views computed, shared by the tests that only read; a test that deletes makes its own.
/// </summary>
public sealed class FeatureViewServiceTests(FeatureViewsFixture shared) : IClassFixture<FeatureViewsFixture>
{
    private static TrainingOptions Tiny => new()
    {
        Epochs = 4, HeldOutLabelCount = 0, EvaluatePhotos = false, Activate = false, TransferWeight = 0, Seed = 7,
    };

    [Fact]
    public void ViewsJob_SmallGallery_StoresEveryViewOfEveryImage()
    {
        var summary = shared.FirstRun;
        var coverage = shared.Engine.Get<FeatureViewService>().Coverage(FeatureViewsFixture.Views, ViewBackground.White);

        Assert.Equal(shared.ImageCount, summary.Images);
        Assert.Equal(shared.ImageCount * FeatureViewsFixture.Views, summary.ViewsComputed);
        Assert.Equal((0, 0), (summary.Skipped, summary.Failed));
        Assert.Equal(shared.ImageCount, coverage.ImagesWithViews);
    }

    [Fact]
    public async Task ViewsJob_RunAgain_ComputesNothing()
    {
        var again = await shared.RunViewsAsync(shared.Engine);

        Assert.Equal(0, again.ViewsComputed);
        Assert.Equal(shared.ImageCount, again.Skipped);
    }

    [Fact]
    public void Views_OfAnImage_DifferFromItsFeaturesAndFromEachOther()
    {
        var ids = shared.Engine.Get<FeatureStore>().Ids();
        var store = shared.Engine.Get<FeatureViewStore>();
        var original = shared.Engine.Get<FeatureStore>().GetMany(ids);
        var views = store.RequireMany(ViewBackground.White, FeatureViewsFixture.Views, ids);

        for (int row = 0; row < ids.Count; row++)
        {
            float first = VectorMath.Cosine(original[row], views[0][row]), second = VectorMath.Cosine(views[0][row], views[1][row]);
            Assert.True(first < 0.999f && second < 0.999f, $"image {ids[row]}: cos(original, view 1) {first}, cos(view 1, view 2) {second}");
            // Still the same picture to the backbone, not noise.
            Assert.True(first > 0.3f, $"image {ids[row]}: cos(original, view 1) {first}");
        }
    }

    [Fact]
    public async Task Views_SameImagesInAnotherStore_AreTheSameVectors()
    {
        await using var other = await EngineHost.StartEmptyAsync();
        await other.ImportAsync(shared.Dataset);
        await shared.RunViewsAsync(other);

        var ids = shared.Engine.Get<FeatureStore>().Ids();
        var mine = shared.Engine.Get<FeatureViewStore>().RequireMany(ViewBackground.White, FeatureViewsFixture.Views, ids);
        var theirs = other.Get<FeatureViewStore>().RequireMany(ViewBackground.White, FeatureViewsFixture.Views, ids);

        Assert.Equal(mine.SelectMany(v => v).SelectMany(r => r), theirs.SelectMany(v => v).SelectMany(r => r));
    }

    [Fact]
    public async Task Training_WithViews_IsDeterministicForASeedAndDiffersFromTrainingWithout()
    {
        var first = await shared.Engine.TrainAsync(Tiny with { AugmentedViews = FeatureViewsFixture.Views });
        var again = await shared.Engine.TrainAsync(Tiny with { AugmentedViews = FeatureViewsFixture.Views });
        var without = await shared.Engine.TrainAsync(Tiny);

        Assert.Equal(first.History.Select(e => e.TrainLoss), again.History.Select(e => e.TrainLoss));
        Assert.NotEqual(first.History.Select(e => e.TrainLoss), without.History.Select(e => e.TrainLoss));
        Assert.Contains($"{FeatureViewsFixture.Views} augmented views on white", first.Architecture, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Training_MoreViewsThanComputed_FailsNamingTheViewsJob()
    {
        var job = await shared.Engine.RunJobAsync(new JobRequest
        {
            Kind = JobKind.Training, Training = Tiny with { AugmentedViews = FeatureViewsFixture.Views + 1 },
        });

        Assert.Equal(JobState.Failed, job.State);
        Assert.Contains($"views --count {FeatureViewsFixture.Views + 1}", job.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ViewsJob_SceneBackgroundsWithoutScenePhotos_IsRefusedBeforeItQueues() =>
        Assert.Throws<InvalidInputException>(() => shared.Engine.Get<JobQueue>().Enqueue(FeatureViewService.Request(1, ViewBackground.Scenes)));

    [Fact]
    public async Task Delete_ImageWithViews_DropsThemAndCompactionKeepsThemGone()
    {
        var directory = TestData.NewTemporaryDirectory("views-delete");
        int deleted, kept;
        await using (var engine = await EngineHost.StartAsync(directory))
        {
            await engine.ImportAsync(TestData.CopySubset(["horse"]));
            await shared.RunViewsAsync(engine);
            var ids = engine.Get<FeatureStore>().Ids();
            (deleted, kept) = (ids[0], ids[1]);

            Assert.Equal([deleted], engine.Get<GalleryService>().Delete([deleted]));
            Assert.Null(engine.Get<FeatureViewStore>().GetMany(ViewBackground.White, 0, [deleted])[0]);
            Assert.Equal(JobState.Finished, (await engine.RunJobAsync(new JobRequest { Kind = JobKind.Compaction })).State);
        }
        await using var reopened = await EngineHost.StartAsync(directory);
        var views = reopened.Get<FeatureViewStore>();

        for (int view = 0; view < FeatureViewsFixture.Views; view++)
        {
            Assert.DoesNotContain(deleted, views.IdsWith(ViewBackground.White, view));
            Assert.Contains(kept, views.IdsWith(ViewBackground.White, view));
        }
    }
}

/// <summary>A small real gallery (three labels, no scene photographs) with two views per image computed.</summary>
public sealed class FeatureViewsFixture : IAsyncLifetime
{
    public const int Views = 2;

    public EngineHost Engine { get; private set; } = null!;
    public string Dataset { get; } = TestData.CopySubset(["cat", "horse", "apple"]);
    public FeatureViewsSummary FirstRun { get; private set; } = null!;
    public int ImageCount { get; private set; }

    public async Task<FeatureViewsSummary> RunViewsAsync(EngineHost engine)
    {
        var job = await engine.RunJobAsync(FeatureViewService.Request(Views));
        Assert.True(job.State == JobState.Finished, $"{job.State}: {job.Error}");
        return job.Result!.Views!;
    }

    public async Task InitializeAsync()
    {
        Engine = await EngineHost.StartEmptyAsync();
        ImageCount = (await Engine.ImportAsync(Dataset)).Added;
        FirstRun = await RunViewsAsync(Engine);
    }

    public async Task DisposeAsync()
    {
        if (Engine is not null) await Engine.DisposeAsync();
    }
}

using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Models;

/// <summary>Model versions: the active one, older ones pinned by id (a bounded cache of them), and activation as a job.</summary>
[Collection(TrainedEngineCollection.Name)]
public sealed class ModelServiceTests(TrainedEngineFixture shared)
{
    private static readonly TrainingOptions Short = new() { Epochs = 3, HeldOutLabelCount = 0 };

    private ModelService Models => shared.Get<ModelService>();

    [Fact]
    public void List_Template_HasOneActiveVersionHoldingOutBear()
    {
        var version = Assert.Single(Models.List());

        Assert.True(version.IsActive);
        Assert.Equal(version.Id, Models.ActiveModelId);
        Assert.Equal([TemplateData.HeldOutLabel], version.HeldOutLabels);
        Assert.Equal([TemplateData.HeldOutLabel], Models.HeldOutLabels);
        Assert.Equal(shared.Get<GalleryService>().Count, Models.IndexedCount);
    }

    [Fact]
    public void SplitOf_TemplateImages_PutsBearsInHeldOutAndEveryOtherInTrainOrValidation()
    {
        var splits = shared.Get<GalleryService>().List(new ImageQuery(Take: GalleryService.MaxPageSize)).Items
            .Where(i => TemplateData.Labels.Contains(i.Label) && i.Split != SplitKind.Evaluation) // marked in the catalogue, in no split
            .ToLookup(i => i.Label == TemplateData.HeldOutLabel, i => Models.SplitOf(i.Id, i.Label));

        Assert.All(splits[true], s => Assert.Equal(SplitKind.HeldOut, s));
        Assert.All(splits[false], s => Assert.Contains(s, new[] { SplitKind.Train, SplitKind.Validation }));
        Assert.Equal(SplitKind.HeldOut, Models.SplitOf(987654, TemplateData.HeldOutLabel));
        Assert.Equal(SplitKind.Unassigned, Models.SplitOf(987654, "dog"));
    }

    [Fact]
    public void Get_UnknownVersion_ThrowsNotFoundNamingIt()
    {
        var error = Assert.Throws<NotFoundException>(() => Models.Get(999));

        Assert.Contains("999", error.Message);
    }

    [Fact]
    public void ActivationJob_UnknownVersion_IsRefusedBeforeItIsQueued()
    {
        var queue = shared.Get<JobQueue>();
        var before = queue.Recent().Select(j => j.Id).ToList();

        Assert.Throws<NotFoundException>(() => queue.Enqueue(new JobRequest { Kind = JobKind.Activation, ModelId = 999 }));
        Assert.Throws<InvalidInputException>(() => queue.Enqueue(new JobRequest { Kind = JobKind.Activation }));
        Assert.Equal(before, queue.Recent().Select(j => j.Id));
    }

    [Fact]
    public async Task ActiveModelId_EmptyGallery_IsNull()
    {
        await using var engine = await EngineHost.StartEmptyAsync();

        var models = engine.Get<ModelService>();

        Assert.Null(models.ActiveModelId);
        Assert.Empty(models.List());
        Assert.Empty(models.HeldOutLabels);
        Assert.Equal(0, models.IndexedCount);
    }

    [Fact]
    public async Task Search_OlderVersionByIdAndAfterActivatingItAgain_GivesItsOwnResults()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var models = engine.Get<ModelService>();
        var search = engine.Get<SearchService>();
        int first = models.ActiveModelId!.Value;
        var before = await search.SearchTextAsync("water", k: 8);
        var second = await engine.TrainAsync(Short with { Seed = 2 });

        var current = await search.SearchTextAsync("water", k: 8);
        var pinned = await search.SearchTextAsync("water", k: 8, modelId: first);
        var activated = await engine.ActivateAsync(first);
        var reactivated = await search.SearchTextAsync("water", k: 8);

        Assert.Equal(second.Id, current.ModelId);
        Assert.NotEqual(Scores(before), Scores(current));
        Assert.Equal(first, pinned.ModelId);
        Assert.Equal(Scores(before), Scores(pinned));
        Assert.True(activated.IsActive);
        Assert.Equal(first, models.ActiveModelId);
        Assert.Equal(Scores(before), Scores(reactivated));
        Assert.False(models.Get(second.Id).IsActive);
    }

    [Fact]
    public async Task Search_MorePinnedVersionsThanTheCacheHolds_EvictsTheLeastRecentAndStillAnswersLikeBefore()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync(o => o.PinnedModelCacheSize = 1);
        var models = engine.Get<ModelService>();
        var search = engine.Get<SearchService>();
        var older = await engine.TrainAsync(Short with { Seed = 11, Activate = false });
        var newer = await engine.TrainAsync(Short with { Seed = 12, Activate = false });
        var olderResults = await search.SearchTextAsync("a red apple", k: 8, modelId: older.Id);

        var newerResults = await search.SearchTextAsync("a red apple", k: 8, modelId: newer.Id);
        var loaded = LoadedVersions(models);
        var olderAgain = await search.SearchTextAsync("a red apple", k: 8, modelId: older.Id);

        Assert.Equal([models.ActiveModelId!.Value, newer.Id], loaded);
        Assert.Equal(newer.Id, newerResults.ModelId);
        Assert.Equal(Scores(olderResults), Scores(olderAgain));
        Assert.Equal([models.ActiveModelId!.Value, older.Id], LoadedVersions(models));
    }

    [Fact]
    public async Task Search_PinnedVersionWithNoCache_LoadsItForTheSearchAndLetsItGo()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync(o => o.PinnedModelCacheSize = 0);
        var models = engine.Get<ModelService>();
        var older = await engine.TrainAsync(Short with { Seed = 13, Activate = false });

        var results = await engine.Get<SearchService>().SearchTextAsync("moon", k: 5, modelId: older.Id);

        Assert.Equal(older.Id, results.ModelId);
        Assert.Equal(5, results.Hits.Count);
        Assert.Equal([models.ActiveModelId!.Value], LoadedVersions(models));
    }

    [Fact]
    public async Task ActivationJob_VersionTrainedBeforeAnUpload_EmbedsTheUploadBeforeItServes()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var models = engine.Get<ModelService>();
        var older = await engine.TrainAsync(Short with { Seed = 14, Activate = false });
        await using var photo = File.OpenRead(TemplateData.NotImportedPath(1));
        var upload = (await engine.Get<ImportService>().ImportStreamAsync(photo, "rabbit.png", "rabbit")).Image!;

        await engine.ActivateAsync(older.Id);

        Assert.Equal(older.Id, models.ActiveModelId);
        Assert.Equal(TemplateData.ImageCount + 1, models.IndexedCount);
        var itself = await engine.Get<SearchService>().SearchAsync(new SearchQuery { ImageIds = [upload.Id], K = 1 });
        Assert.Equal((older.Id, upload.Id), (itself.ModelId, itself.Hits[0].Image.Id));
        Assert.Equal(1f, itself.Hits[0].Score, 3);
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public async Task ActivationJob_CancelledAsEachPassBegins_KeepsTheActiveVersionAndActivatesLater()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var models = engine.Get<ModelService>();
        var queue = engine.Get<JobQueue>();
        int active = models.ActiveModelId!.Value;
        var older = await engine.TrainAsync(Short with { Seed = 17, Activate = false });
        await using (var photo = File.OpenRead(TemplateData.NotImportedPath(1)))
            await engine.Get<ImportService>().ImportStreamAsync(photo, "rabbit.png", "rabbit"); // the older version lacks it: embedding it is work

        foreach (var (pass, _) in ModelService.ActivationPasses)
        {
            bool cancelled = false;
            JobInfo job;
            using (queue.Subscribe(e =>
            {
                if (!cancelled && e.Progress?.Phase is { Done: 0 } phase && phase.Name == pass) cancelled = queue.Cancel(e.JobId);
            }))
                job = await engine.RunJobAsync(new JobRequest { Kind = JobKind.Activation, ModelId = older.Id });

            Assert.True(cancelled, $"{pass}: never reported as it began");
            Assert.True(job.State == JobState.Cancelled, $"{pass}: {job.State} {job.Error}");
            Assert.Equal(active, models.ActiveModelId);
            Assert.Equal(TemplateData.ImageCount + 1, models.IndexedCount);
        }
        await engine.ActivateAsync(older.Id);

        Assert.Equal(older.Id, models.ActiveModelId);
        Assert.Equal(TemplateData.ImageCount + 1, models.IndexedCount);
    }

    [Fact]
    public async Task Search_PinnedToAVersionNotLoaded_AnswersWhileAnotherVersionsActivationIsHeldMidway()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var models = engine.Get<ModelService>();
        var pinned = await engine.TrainAsync(Short with { Seed = 15, Activate = false });
        var activated = await engine.TrainAsync(Short with { Seed = 16, Activate = false });
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var activation = Storage.CommitOrderTests.Intercepted(point =>
        {
            if (point != FaultPoints.ActivationBeforeSwitch) return;
            held.SetResult();
            release.Task.Wait();
        }, () => models.ActivateAsync(activated.Id, null, CancellationToken.None));
        await held.Task;

        try
        {
            // The pinned version's load and search, as a share link pinned to it runs them. The time limit guards
            // against the hang this test is about; it is not a speed requirement.
            var (version, hits) = await Task.Run(() =>
            {
                using var lease = models.Acquire(pinned.Id);
                var index = lease.Model.Index;
                return (lease.Model.Id, index.Search(index.Get(index.Ids()[0])!, 5));
            }).WaitAsync(TimeSpan.FromMinutes(2));

            Assert.Equal(pinned.Id, version);
            Assert.Equal(5, hits.Count);
            Assert.NotEqual(activated.Id, models.ActiveModelId);
        }
        finally
        {
            release.SetResult();
            await activation;
        }
        Assert.Equal(activated.Id, models.ActiveModelId);
    }

    private static List<(int, float)> Scores(SearchResult result) => result.Hits.Select(h => (h.Image.Id, h.Score)).ToList();

    /// <summary>The versions holding embeddings in memory now: the active one and the pinned ones still cached.</summary>
    private static List<int> LoadedVersions(ModelService models)
    {
        var leases = models.AcquireLoaded();
        try { return leases.Select(l => l.Model.Id).Order().ToList(); }
        finally { foreach (var lease in leases) lease.Dispose(); }
    }
}

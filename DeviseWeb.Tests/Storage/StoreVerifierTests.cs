using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Hardening;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Storage;

/// <summary>The whole-store check finds each kind of damage, and its repair leaves a store that checks clean.</summary>
[Collection(CrashStoreCollection.Name)]
public sealed class StoreVerifierTests(CrashStoreFixture store) : IDisposable
{
    private readonly string _data = store.CopyStore();

    [Fact]
    public async Task Verify_IntactStore_CleanWithEveryImageChecked()
    {
        await using var host = await EngineHost.StartAsync(_data);

        var report = host.Get<StoreVerifier>().Verify();

        Assert.True(report.Clean, string.Join("\n", report.Problems));
        Assert.Equal(store.StoreImageCount, report.ImagesChecked);
        Assert.Equal(1, report.ActiveModelId);
    }

    [Fact]
    public async Task Verify_OriginalsMissingTruncatedOrAltered_ReportedAndRepairDropsThoseImages()
    {
        var records = StoreAssert.RecordsAsLeft(_data);
        File.Delete(Path.Combine(_data, records[0].StoredFile));
        var truncated = Path.Combine(_data, records[1].StoredFile);
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..64]);
        var altered = Path.Combine(_data, records[2].StoredFile);
        var bytes = File.ReadAllBytes(altered);
        bytes[^1] ^= 0xFF; // same size: only the hash tells
        File.WriteAllBytes(altered, bytes);
        await using var host = await EngineHost.StartAsync(_data);
        var verifier = host.Get<StoreVerifier>();

        var found = verifier.Verify();
        var repaired = verifier.Verify(repair: true);
        var after = verifier.Verify();

        Assert.Equal(
            [(StoreProblemKind.MissingOriginal, records[0].Id), (StoreProblemKind.CorruptOriginal, records[1].Id), (StoreProblemKind.CorruptOriginal, records[2].Id)],
            found.Problems.Select(p => (p.Kind, p.ImageId!.Value)));
        Assert.Equal(3, found.Unrepaired);
        Assert.All(repaired.Problems, p => Assert.Equal("image dropped", p.Repair));
        Assert.True(after.Clean, string.Join("\n", after.Problems));
        Assert.Equal(store.StoreImageCount - 3, StoreAssert.Consistent(host));
        Assert.All(records.Take(3), r => Assert.Null(host.Get<GalleryService>().Find(r.Id)));
    }

    [Fact]
    public async Task Verify_StrayFilesWrittenWhileOpen_ReportedAndRepairDeletesThem()
    {
        await using var host = await EngineHost.StartAsync(_data);
        var orphan = Path.Combine(_data, "images", "ee", new string('e', 64) + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(orphan)!);
        File.WriteAllBytes(orphan, [1]);
        var temporary = Path.Combine(_data, "references", "half.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
        File.WriteAllBytes(temporary, [2]);
        var verifier = host.Get<StoreVerifier>();

        var found = verifier.Verify();
        var repaired = verifier.Verify(repair: true);

        Assert.Equal([StoreProblemKind.OrphanOriginal, StoreProblemKind.TemporaryFile], found.Problems.Select(p => p.Kind));
        Assert.All(repaired.Problems, p => Assert.Equal("deleted", p.Repair));
        Assert.False(File.Exists(orphan) || File.Exists(temporary));
        Assert.Equal(store.StoreImageCount, StoreAssert.Consistent(host));
    }

    [Fact]
    public async Task Verify_ThumbnailFeaturesAndLabelCountLost_RepairMakesThemAgain()
    {
        var records = StoreAssert.RecordsAsLeft(_data);
        int noThumbnail = records[4].Id, noFeatures = records[5].Id;
        using (var database = new DeviseDatabase(Path.Combine(_data, "devise.db")))
        {
            Assert.True(database.Collection<ThumbnailRecord>("thumbnails").Delete(noThumbnail));
            var tail = database.Collection<VectorTailRecord>("vector_tail");
            var row = tail.Find(t => t.ImageId == noFeatures).Single(t => t.Column.StartsWith("features/", StringComparison.Ordinal));
            Assert.True(tail.Delete(row.Id));
            var labels = database.Collection<LabelRecord>("labels");
            labels.Upsert(new LabelRecord { Label = "dog", Count = 99 });
        }
        await using var host = await EngineHost.StartAsync(_data);
        var verifier = host.Get<StoreVerifier>();

        var found = verifier.Verify();
        var repaired = verifier.Verify(repair: true);

        Assert.Equal(
            [(StoreProblemKind.MissingThumbnail, $"image #{noThumbnail} ({records[4].FileName})"), (StoreProblemKind.MissingFeatures, $"image #{noFeatures} ({records[5].FileName})"),
             (StoreProblemKind.LabelCount, "label 'dog'")],
            found.Problems.Select(p => (p.Kind, p.Subject)));
        Assert.Equal(["thumbnail made again", "features computed again", "counted again"], repaired.Problems.Select(p => p.Repair));
        Assert.Equal(store.StoreImageCount, StoreAssert.Consistent(host));
        Assert.NotEmpty(host.Get<GalleryService>().Thumbnail(noThumbnail));
        Assert.Equal(Directory.GetFiles(Path.Combine(TestData.RequireDemo(), "dog")).Length, host.Get<ImageRepository>().CountOf("dog"));
        Assert.NotNull(host.Get<FeatureStore>().Get(noFeatures));
    }

    [Fact]
    public async Task Open_ActiveVersionLacksAnEmbedding_EmbedsItAgainBeforeAnyCheck()
    {
        // The last image came after training: its embedding is a tail row, not in the version's segment files.
        int late = StoreAssert.RecordsAsLeft(_data).Max(r => r.Id);
        using (var database = new DeviseDatabase(Path.Combine(_data, "devise.db")))
            Assert.True(database.Collection<VectorTailRecord>("vector_tail").Delete(VectorTailRecord.KeyOf(VectorColumnStore.EmbeddingsColumn(1), late)));

        await using var host = await EngineHost.StartAsync(_data);

        using (var lease = host.Get<ModelService>().Acquire()) Assert.True(lease.Model.Index.Contains(late));
        Assert.Equal(store.StoreImageCount, StoreAssert.Consistent(host));
    }

    public void Dispose() => TestData.DeleteQuietly(_data);
}

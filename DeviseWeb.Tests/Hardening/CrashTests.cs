using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Hardening;

/// <summary>
/// The real executable killed (SIGKILL) at named points of an import, a training run and an activation, 20 times in
/// all; each time the store must reopen whole: verify clean, originals intact, no temporary file or duplicate, the
/// job interrupted, the active version the old one or the new one and covering every image; then the work finishes.
/// </summary>
[Collection(CrashStoreCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class CrashTests(CrashStoreFixture store) : IDisposable
{
    /// <summary>Small segments, so an import of a few images seals some (and can be killed mid-seal).</summary>
    private static readonly Dictionary<string, string> SmallSegments = new() { ["Devise__VectorSealRows"] = "4" };

    private readonly List<string> _directories = [];

    [Theory]
    [InlineData(FaultPoints.OriginalWritten, 1)]
    [InlineData(FaultPoints.OriginalWritten, 5)]
    [InlineData(FaultPoints.OriginalWritten, 12)]
    [InlineData(FaultPoints.ImportFileDone, 2)]
    [InlineData(FaultPoints.ImportFileDone, 9)]
    [InlineData(FaultPoints.SegmentWritten, 1)]
    [InlineData(FaultPoints.SegmentWritten, 2)]
    public async Task Import_IntoEmptyStoreKilled_ReopensWholeAndTheImportCompletes(string point, int hit)
    {
        var data = NewDirectory(TestData.NewTemporaryDirectory("crash-empty"));

        var crash = await CliProcess.RunWithFaultAsync(point, hit, SmallSegments, "import", store.NewDataset, "--data", data);

        crash.AssertKilledAt(point, hit);
        await AssertImportRecoversAsync(data, point, hit, jobsBefore: 0, imagesBefore: 0);
    }

    [Theory]
    [InlineData(FaultPoints.OriginalWritten, 2)]
    [InlineData(FaultPoints.OriginalWritten, 8)]
    [InlineData(FaultPoints.ImportFileDone, 4)]
    [InlineData(FaultPoints.ImportFileDone, 16)]
    public async Task Import_IntoTrainedStoreKilled_ReopensWholeWithEveryImageEmbedded(string point, int hit)
    {
        var data = NewDirectory(store.CopyStore());

        var crash = await CliProcess.RunWithFaultAsync(point, hit, null, "import", store.NewDataset, "--data", data);

        crash.AssertKilledAt(point, hit);
        await AssertImportRecoversAsync(data, point, hit, jobsBefore: 4, imagesBefore: store.StoreImageCount);
    }

    [Theory]
    [InlineData(FaultPoints.TrainingEpoch, 1)]
    [InlineData(FaultPoints.TrainingEpoch, 2)]
    [InlineData(FaultPoints.TrainingEpoch, 3)]
    [InlineData(FaultPoints.BulkSegmentsWritten, 1)]
    public async Task Train_Killed_TheOldVersionStaysActiveAndWhole(string point, int hit)
    {
        var data = NewDirectory(store.CopyStore());

        var crash = await CliProcess.RunWithFaultAsync(point, hit, null,
            "train", "--epochs", "3", "--hidden", "64", "--holdout", "0", "--data", data);

        crash.AssertKilledAt(point, hit);
        await using var host = await EngineHost.StartAsync(data);
        StoreAssert.InterruptedJob(host, JobKind.Training, jobsBefore: 4);
        Assert.Equal(store.StoreImageCount, StoreAssert.Consistent(host));
        var models = host.Get<ModelService>();
        Assert.Equal(1, models.ActiveModelId);
        // No half-trained version: a version's record, weights and column commit together, after its files are written.
        Assert.Equal([1, 2], models.List().Select(m => m.Id));
        if (point == FaultPoints.BulkSegmentsWritten)
        {
            // Its files were written under the id it reserved (3) and never committed: the sweep on open deletes them,
            // and the next version takes a new id.
            Assert.DoesNotContain(Directory.GetFiles(Path.Combine(data, "vectors"), "*", SearchOption.AllDirectories),
                f => Path.GetFileName(Path.GetDirectoryName(f)!).Contains("model-3", StringComparison.Ordinal));
            var next = await host.TrainAsync(new TrainingOptions { Epochs = 1, HiddenSize = 64, HeldOutLabelCount = 0 });
            Assert.Equal(4, next.Id);
            Assert.Equal(store.StoreImageCount, StoreAssert.Consistent(host));
        }
    }

    [Theory]
    [InlineData(FaultPoints.ActivationBeforeSwitch, 1, false)]
    [InlineData(FaultPoints.ActivationBeforeSwitch, 1, true)]
    [InlineData(FaultPoints.SegmentWritten, 1, true)]
    [InlineData(FaultPoints.SegmentWritten, 3, true)]
    [InlineData(FaultPoints.SegmentWritten, 6, true)]
    public async Task Activate_Killed_OneVersionIsActiveWholeAndActivatingAgainWorks(string point, int hit, bool smallSegments)
    {
        var data = NewDirectory(store.CopyStore());

        var crash = await CliProcess.RunWithFaultAsync(point, hit, smallSegments ? SmallSegments : null, "activate", "2", "--data", data);

        crash.AssertKilledAt(point, hit);
        await using var host = await EngineHost.StartAsync(data);
        var jobs = host.Get<JobQueue>().Recent(50);
        // Small segments make opening the store seal its tails: an early kill can come before the job was queued.
        if (jobs.Count > 4 || point == FaultPoints.ActivationBeforeSwitch) StoreAssert.InterruptedJob(host, JobKind.Activation, jobsBefore: 4);
        Assert.Equal(store.StoreImageCount, StoreAssert.Consistent(host));
        var models = host.Get<ModelService>();
        Assert.Contains(models.ActiveModelId, new int?[] { 1, 2 });

        await host.ActivateAsync(2);

        Assert.Equal(2, models.ActiveModelId);
        Assert.Equal(store.StoreImageCount, StoreAssert.Consistent(host));
    }

    /// <summary>After a killed import: the store is whole (an original the crash left unrecorded is gone), the job shows as interrupted, and importing again adds exactly what is missing.</summary>
    private async Task AssertImportRecoversAsync(string data, string point, int hit, int jobsBefore, int imagesBefore)
    {
        var left = StoreAssert.RecordsAsLeft(data);
        int orphans = StoreAssert.OriginalFiles(data).Count - left.Count;
        switch (point)
        {
            case FaultPoints.OriginalWritten: // the hit-th original written, its record never committed
                Assert.Equal(1, orphans);
                Assert.Equal(imagesBefore + hit - 1, left.Count);
                break;
            case FaultPoints.ImportFileDone:
                Assert.Equal(0, orphans);
                Assert.Equal(imagesBefore + hit, left.Count);
                break;
            default: // a seal on the index's own thread: the import may have been anywhere, an original written or not
                Assert.InRange(orphans, 0, 1);
                break;
        }

        await using var host = await EngineHost.StartAsync(data);
        Assert.Equal(orphans, host.Get<DataStore>().Sweep.OrphanOriginals.Count);
        StoreAssert.InterruptedJob(host, JobKind.Import, jobsBefore);
        int kept = StoreAssert.Consistent(host);
        Assert.Equal(left.Count, kept);
        Assert.InRange(kept, imagesBefore, imagesBefore + store.NewDatasetCount - 1);

        var resumed = await host.ImportAsync(store.NewDataset);

        Assert.Equal(kept - imagesBefore, resumed.Duplicates);
        Assert.Equal(imagesBefore + store.NewDatasetCount, StoreAssert.Consistent(host));
    }

    private string NewDirectory(string path)
    {
        _directories.Add(path);
        return path;
    }

    public void Dispose()
    {
        foreach (var directory in _directories) TestData.DeleteQuietly(directory);
    }
}

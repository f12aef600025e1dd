using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Hardening;

/// <summary>A disk that runs full mid-import: a clear error, a store that reopens clean, and a full import once space returns.</summary>
[Collection(CrashStoreCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class DiskFullTests(CrashStoreFixture store)
{
    /// <summary>Another process fills the disk under the store's reserve check: LiteDB itself meets ENOSPC.</summary>
    [NeedsMountFact]
    public async Task Import_DiskRunsFullInsideAWrite_FailsClearlyReopensCleanAndSucceedsOnceSpaceReturns()
    {
        using var disk = SmallDisk.Mount(megabytes: 24);
        var data = Path.Combine(disk.Path, "data");
        int added;
        await using (var host = await EngineHost.StartAsync(data, o => o.DiskReserveBytes = 0))
        {
            // Room for the store as opened and a few images, not for the 17 of the dataset.
            var filler = disk.Fill(leaveBytes: 48 * 1024);

            var job = await host.RunJobAsync(new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(store.NewDataset) });

            IEnumerable<string> reasons = job.Result?.Import?.Rejections.Select(r => r.Reason ?? "") ?? [];
            var errors = (job.Error ?? "") + "\n" + string.Join("\n", reasons);
            Assert.True(errors.Contains("No space left on device", StringComparison.Ordinal), $"{job.State}: {errors} ({job.Result?.Import})");
            added = job.Result?.Import?.Added ?? 0;
            Assert.InRange(added, 0, store.NewDatasetCount - 1);
            File.Delete(filler);
        }
        ObjectsLeftByTheFailedWritesAreFinalisedQuietly();

        // A write that failed half way may leave an unrecorded original; opening again sweeps it.
        await using var reopened = await EngineHost.StartAsync(data, o => o.DiskReserveBytes = 0); // the whole small disk is under the default reserve
        Assert.InRange(reopened.Get<DataStore>().Sweep.OrphanOriginals.Count, 0, 1);
        Assert.Equal(added, StoreAssert.Consistent(reopened));

        var again = await reopened.ImportAsync(store.NewDataset);

        Assert.Equal(store.NewDatasetCount - added, again.Added);
        Assert.Equal(store.NewDatasetCount, StoreAssert.Consistent(reopened));
        ObjectsLeftByTheFailedWritesAreFinalisedQuietly();
    }

    [NeedsMountFact]
    public async Task Import_DiskNearlyFull_RefusedBeforeWritingAndTheRunningAppImportsTheRestOnceSpaceReturns()
    {
        using var disk = SmallDisk.Mount(megabytes: 24);
        var data = Path.Combine(disk.Path, "data");
        const long reserve = 1024 * 1024;
        await using (var host = await EngineHost.StartAsync(data, o => o.DiskReserveBytes = reserve))
        {
            var filler = disk.Fill(leaveBytes: reserve + 256 * 1024);
            var failed = await host.RunJobAsync(new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(store.NewDataset) });
            var reasons = string.Join("\n", failed.Result?.Import?.Rejections.Select(r => r.Reason) ?? []);
            Assert.Contains("No space left on device", (failed.Error ?? "") + reasons, StringComparison.Ordinal);
            int added = failed.Result?.Import?.Added ?? 0;
            Assert.InRange(added, 0, store.NewDatasetCount - 1);
            Assert.Equal(added, StoreAssert.Consistent(host)); // nothing half-written: no orphan original, no stray row
            File.Delete(filler);

            var again = await host.ImportAsync(store.NewDataset);

            Assert.Equal(store.NewDatasetCount - added, again.Added);
        }
        await using var reopened = await EngineHost.StartAsync(data, o => o.DiskReserveBytes = 0); // the whole small disk is under the default reserve
        Assert.Equal(store.NewDatasetCount, StoreAssert.Consistent(reopened));
        ObjectsLeftByTheFailedWritesAreFinalisedQuietly();
    }

    /// <summary>A storage object abandoned by a failed write and finalised later must not take the process down.</summary>
    private static void ObjectsLeftByTheFailedWritesAreFinalisedQuietly()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
}

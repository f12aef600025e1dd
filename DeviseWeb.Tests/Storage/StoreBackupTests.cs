using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Storage;

/// <summary>A backup of a running store: taken during an import, it opens as a whole store that verifies clean.</summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class StoreBackupTests : IDisposable
{
    private readonly string _backups = TestData.NewTemporaryDirectory("backups");

    [Fact]
    public async Task Create_DuringAnImport_OpensAsAStoreThatVerifiesCleanAndSearches()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var gallery = engine.Get<GalleryService>();
        int before = gallery.Count;
        var dataset = TestData.CopySubset(["elephant", "giraffe", "lion", "monkey", "tiger", "zebra", "cow"]);
        int adding = Directory.GetFiles(dataset, "*", SearchOption.AllDirectories).Length;
        var job = engine.Get<JobQueue>().Enqueue(new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(dataset, null) });
        while (gallery.Count < before + 3) await Task.Delay(5);

        var target = Path.Combine(_backups, "during-import");
        var summary = await Task.Run(() => engine.Get<StoreBackup>().Create(target));
        await engine.WaitAsync(job.Id);

        Assert.InRange(summary.Images, before + 3, before + adding - 1); // taken in the middle of the import
        Assert.Equal(before + adding, gallery.Count);
        Assert.True(summary.LinkedFiles >= summary.Images, $"{summary.LinkedFiles} of {summary.Images + summary.SegmentFiles} files linked");
        Assert.True(File.Exists(Path.Combine(target, DataStore.ClosedMarkerName)));
        Assert.DoesNotContain(Directory.GetDirectories(_backups), d => d.Contains(".partial-", StringComparison.Ordinal));
        await using var restored = await EngineHost.StartAsync(target);
        var report = restored.Get<StoreVerifier>().Verify();
        Assert.True(report.Clean, string.Join("; ", report.Problems.Select(p => $"{p.Kind} {p.Subject}: {p.Detail}")));
        Assert.Equal(summary.Images, report.ImagesChecked);
        Assert.Equal(summary.Images, restored.Get<GalleryService>().Count);
        Assert.Equal(["dog", "dog", "dog"], (await restored.Get<SearchService>().SearchTextAsync("dog", k: 3)).Hits.Select(h => h.Image.Label));
    }

    [Fact]
    public async Task Create_IntoAFolderThatHoldsFiles_OrInsideTheStore_IsRefusedAndLeavesNothing()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var backup = engine.Get<StoreBackup>();
        var full = Directory.CreateDirectory(Path.Combine(_backups, "full")).FullName;
        File.WriteAllText(Path.Combine(full, "keep.txt"), "mine");

        var notEmpty = Assert.Throws<Engine.InvalidInputException>(() => backup.Create(full));
        var inside = Assert.Throws<Engine.InvalidInputException>(() => backup.Create(Path.Combine(engine.DataDirectory, "backup")));

        Assert.Contains("not empty", notEmpty.Message);
        Assert.Contains("outside the data directory", inside.Message);
        Assert.Equal(["keep.txt"], Directory.GetFiles(full).Select(Path.GetFileName));
        Assert.Equal([full], Directory.GetDirectories(_backups));
        Assert.False(Directory.Exists(Path.Combine(engine.DataDirectory, "backup")));
    }

    [Fact]
    public async Task Create_StoreThatLostAnOriginal_BacksUpTheRestAndNamesIt()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var gallery = engine.Get<GalleryService>();
        var lost = gallery.List(new ImageQuery(Take: 1)).Items[0];
        File.Delete(gallery.OriginalPath(lost.Id));

        var summary = engine.Get<StoreBackup>().Create(Path.Combine(_backups, "with-a-loss"));

        Assert.Equal(1, summary.MissingOriginalCount);
        Assert.StartsWith($"#{lost.Id} ", Assert.Single(summary.MissingOriginals!));
        Assert.Equal(gallery.Count, summary.Images);
        await using var restored = await EngineHost.StartAsync(summary.Directory);
        var problem = Assert.Single(restored.Get<StoreVerifier>().Verify().Problems);
        Assert.Equal(StoreProblemKind.MissingOriginal, problem.Kind);
    }

    public void Dispose() => TestData.DeleteQuietly(_backups);
}

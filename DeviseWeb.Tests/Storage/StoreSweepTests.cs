using DeviseWeb.Engine;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Hardening;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Storage;

/// <summary>Opening a store cleans up what a crash leaves (temporary files, unrecorded originals) and names images without an intact original.</summary>
[Collection(CrashStoreCollection.Name)]
public sealed class StoreSweepTests(CrashStoreFixture store) : IDisposable
{
    private readonly string _data = LeftByACrash(store.CopyStore());

    /// <summary>A process that crashed never wrote the marker of a clean close.</summary>
    private static string LeftByACrash(string data)
    {
        File.Delete(Path.Combine(data, DataStore.ClosedMarkerName));
        return data;
    }

    [Fact]
    public void Open_AfterACleanClose_SkipsTheSweep()
    {
        new DataStore(new EngineOptions { DataDirectory = _data }).Dispose();
        string temporary = Path.Combine(_data, StoreAssert.RecordsAsLeft(_data)[0].StoredFile) + ".0123456789abcdef.tmp";
        File.WriteAllBytes(temporary, [1]);

        using var opened = new DataStore(new EngineOptions { DataDirectory = _data });

        Assert.Same(StoreSweepResult.Empty, opened.Sweep);
        Assert.True(File.Exists(temporary));
        Assert.False(File.Exists(Path.Combine(_data, DataStore.ClosedMarkerName))); // a crash from here on leaves none
    }

    [Fact]
    public void Open_LeftoversOfACrash_DeletesThemAndKeepsEveryRecordedOriginal()
    {
        var records = StoreAssert.RecordsAsLeft(_data);
        string original = Path.Combine(_data, records[0].StoredFile);
        string temporary = original + ".0123456789abcdef.tmp";
        File.WriteAllBytes(temporary, [1, 2, 3]);
        string reference = Path.Combine(_data, "references", new string('a', 64) + ".fedcba.tmp");
        Directory.CreateDirectory(Path.GetDirectoryName(reference)!);
        File.WriteAllBytes(reference, [4]);
        string orphan = Path.Combine("images", "ff", new string('f', 64) + ".png");
        Directory.CreateDirectory(Path.Combine(_data, "images", "ff"));
        File.Copy(original, Path.Combine(_data, orphan));

        using var opened = new DataStore(new EngineOptions { DataDirectory = _data });

        Assert.Equal(
            [Path.GetRelativePath(_data, temporary), Path.GetRelativePath(_data, reference)],
            opened.Sweep.TemporaryFiles.Order(StringComparer.Ordinal));
        Assert.Equal([orphan], opened.Sweep.OrphanOriginals);
        Assert.Empty(opened.Sweep.MissingOriginals);
        Assert.Empty(opened.Sweep.DamagedOriginals);
        Assert.False(File.Exists(temporary) || File.Exists(reference) || File.Exists(Path.Combine(_data, orphan)));
        Assert.Equal(records.Select(r => r.StoredFile).Order(StringComparer.Ordinal), StoreAssert.OriginalFiles(_data));
    }

    [Fact]
    public void Open_OriginalMissingAndOneTruncated_NamesBothAndDeletesNeither()
    {
        var records = StoreAssert.RecordsAsLeft(_data);
        File.Delete(Path.Combine(_data, records[3].StoredFile));
        string truncated = Path.Combine(_data, records[7].StoredFile);
        File.WriteAllBytes(truncated, File.ReadAllBytes(truncated)[..100]);

        using var opened = new DataStore(new EngineOptions { DataDirectory = _data });

        Assert.Equal([records[3].Id], opened.Sweep.MissingOriginals);
        Assert.Equal([records[7].Id], opened.Sweep.DamagedOriginals);
        Assert.Empty(opened.Sweep.OrphanOriginals);
        Assert.True(File.Exists(truncated));
    }

    public void Dispose() => TestData.DeleteQuietly(_data);
}

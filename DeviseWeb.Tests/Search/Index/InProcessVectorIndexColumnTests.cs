using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Search.Index;

/// <summary>An index kept in a column: segment files, reopening, deferred commits, freeing replaced files.</summary>
public sealed class InProcessVectorIndexColumnTests
{
    private const int Dimension = 24;
    private static readonly VectorIndexOptions SmallSeals = new() { SealRows = 64 };

    private static FileVectorColumn NewColumn(bool quantized = true) =>
        new(TestData.NewTemporaryDirectory("column"), Dimension, quantized);

    private static Dictionary<int, float[]> AddAll(InProcessVectorIndex index, int count, int seed, int firstId = 0)
    {
        var vectors = VectorData.UnitVectors(count, Dimension, seed);
        var added = new Dictionary<int, float[]>();
        for (int i = 0; i < count; i++)
        {
            index.Add(firstId + i, vectors[i]);
            added[firstId + i] = vectors[i];
        }
        return added;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Open_AfterAddsReplacementsRemovesAndCompaction_GivesTheSameResults(bool quantized)
    {
        var column = NewColumn(quantized);
        var queries = VectorData.UnitVectors(15, Dimension, seed: 2);
        Dictionary<int, float[]> live;
        IReadOnlyList<IReadOnlyList<VectorHit>> before;
        using (var index = InProcessVectorIndex.Open(column, SmallSeals))
        {
            live = AddAll(index, 300, seed: 1);
            await index.CompactAsync();
            foreach (int id in live.Keys.Where(id => id % 5 == 0).ToList())
            {
                index.Remove(id);
                live.Remove(id);
            }
            await index.CompactAsync();
            foreach (var (id, vector) in AddAll(index, 20, seed: 3, firstId: 1)) live[id] = vector; // replaces odd ids 1..19
            index.Remove(2);
            live.Remove(2);
            before = index.SearchBatch(queries, 10);
        }

        using var reopened = InProcessVectorIndex.Open(column, SmallSeals);
        var after = reopened.SearchBatch(queries, 10);

        Assert.Equal(live.Count, reopened.Count);
        Assert.Equal(live.Keys.Order(), reopened.Ids());
        for (int q = 0; q < queries.Length; q++)
        {
            VectorData.AssertSameHits(VectorData.BruteForce(live, queries[q], 10), after[q]);
            VectorData.AssertSameHits(before[q], after[q]);
        }
    }

    [Fact]
    public async Task Open_IdReplacedAfterItWasSealed_NewestRowWins()
    {
        var column = NewColumn();
        var replacement = VectorData.UnitVectors(1, Dimension, seed: 5)[0];
        using (var index = InProcessVectorIndex.Open(column, SmallSeals))
        {
            AddAll(index, 64, seed: 6); // id 5 sealed in the first segment
            await index.CompactAsync();
            index.Add(5, replacement);
            AddAll(index, 63, seed: 7, firstId: 1000); // the replacement sealed in the second
            await index.CompactAsync();
        }

        using var reopened = InProcessVectorIndex.Open(column, SmallSeals);

        Assert.Equal(127, reopened.Count);
        Assert.Equal(replacement, reopened.Get(5)!, new ToleranceComparer(1e-6f));
        Assert.Equal(5, reopened.Search(replacement, 1)[0].Id);
        Assert.Single(reopened.Search(replacement, 127), h => h.Id == 5);
    }

    [Fact]
    public async Task CompactAsync_WhileAReaderHoldsTheOldSegments_DeletesTheirFilesWhenItLetsGo()
    {
        var column = NewColumn();
        using var index = InProcessVectorIndex.Open(column, SmallSeals);
        AddAll(index, 192, seed: 8);
        await index.CompactAsync();
        var sealedFiles = Directory.GetFiles(column.SegmentDirectory);
        // The reader first: removing past a fifth of a segment queues a background compaction, which could otherwise
        // replace (and delete) the files before the reader is taken.
        var reader = index.Acquire();
        for (int id = 0; id < 192; id += 2) index.Remove(id);

        await index.CompactAsync();
        bool keptWhileRead = sealedFiles.All(File.Exists);
        var readerHit = reader.Snapshot.Vector(0, 0).ToArray(); // the old mapping is still readable
        reader.Dispose();

        Assert.Equal(3, sealedFiles.Length);
        Assert.True(keptWhileRead);
        Assert.Equal(Dimension, readerHit.Length);
        Assert.All(sealedFiles, f => Assert.False(File.Exists(f), $"{f} outlived its last reader."));
        Assert.Equal(column.Load().SegmentPaths.Order(), Directory.GetFiles(column.SegmentDirectory).Order());
        Assert.Equal(96, index.Count);
    }

    [Fact]
    public void Add_InsideAnOpenTransaction_IsSeenOnlyOnceCommitted()
    {
        var column = NewColumn();
        using var index = InProcessVectorIndex.Open(column, SmallSeals);
        var vector = VectorData.UnitVectors(1, Dimension, seed: 9)[0];
        column.BeginTransaction();

        index.Add(42, vector);
        bool seenBeforeCommit = index.Contains(42);
        bool removable = index.Remove(42); // counts the write in flight
        column.CommitTransaction();

        Assert.False(seenBeforeCommit);
        Assert.True(removable);
        Assert.False(index.Contains(42));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public async Task Seal_WhileAReplacementIsInFlight_KeepsTheReplacementInTheColumn()
    {
        var column = NewColumn();
        var replacement = VectorData.UnitVectors(1, Dimension, seed: 10)[0];
        using (var index = InProcessVectorIndex.Open(column, SmallSeals))
        {
            AddAll(index, 63, seed: 11);
            column.BeginTransaction();
            index.Add(7, replacement); // written to the column, committed later
            await Task.Run(() => index.Add(1000, replacement)); // another thread fills the chunk: it is sealed
            await index.CompactAsync();
            column.CommitTransaction();
            Assert.Equal(replacement, index.Get(7)!, new ToleranceComparer(1e-6f));
        }

        using var reopened = InProcessVectorIndex.Open(column, SmallSeals);

        Assert.Equal(replacement, reopened.Get(7)!, new ToleranceComparer(1e-6f));
        Assert.Equal(64, reopened.Count);
    }

    [Fact]
    public async Task Open_DamagedSegmentFile_ThrowsNamingIt()
    {
        var column = NewColumn();
        using (var index = InProcessVectorIndex.Open(column, SmallSeals))
        {
            AddAll(index, 64, seed: 12);
            await index.CompactAsync();
        }
        string file = column.Load().SegmentPaths.Single();
        using (var stream = new FileStream(file, FileMode.Open)) stream.SetLength(100);

        var error = Assert.Throws<InvalidDataException>(() => InProcessVectorIndex.Open(column, SmallSeals));

        Assert.Contains(file, error.Message);
    }
}

using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Tests.Search.Index;

public sealed class InProcessVectorIndexTests
{
    private const int Dimension = 32;
    private static readonly VectorIndexOptions SmallSeals = new() { SealRows = 64 };

    public static TheoryData<bool> QuantizedOrNot => new() { true, false };

    /// <summary>Adds rows one by one (some sealed into segments, the rest in the tail), mirrored in a dictionary.</summary>
    private static (InProcessVectorIndex Index, Dictionary<int, float[]> Live) Filled(int count, int seed, bool quantized = true, VectorIndexOptions? options = null)
    {
        var index = new InProcessVectorIndex(Dimension, quantized, options ?? SmallSeals);
        var live = new Dictionary<int, float[]>();
        var vectors = VectorData.UnitVectors(count, Dimension, seed);
        for (int i = 0; i < count; i++)
        {
            index.Add(1000 + i * 3, vectors[i]);
            live[1000 + i * 3] = vectors[i];
        }
        return (index, live);
    }

    [Theory]
    [MemberData(nameof(QuantizedOrNot))]
    public async Task Search_SegmentsAndTail_MatchBruteForce(bool quantized)
    {
        var (index, live) = Filled(300, seed: 1, quantized);
        using var _ = index;
        await index.CompactAsync(); // seals the full chunks: 4 segments of 64, 44 rows in the tail
        var queries = VectorData.UnitVectors(20, Dimension, seed: 2);

        var results = queries.Select(q => index.Search(q, 10)).ToList();

        using (var lease = index.Acquire()) Assert.Equal(4, lease.Snapshot.Segments.Length);
        for (int q = 0; q < queries.Length; q++) VectorData.AssertSameHits(VectorData.BruteForce(live, queries[q], 10), results[q]);
    }

    [Theory]
    [MemberData(nameof(QuantizedOrNot))]
    public async Task SearchBatch_ManyQueries_EachMatchesBruteForce(bool quantized)
    {
        var (index, live) = Filled(500, seed: 3, quantized);
        using var _ = index;
        await index.CompactAsync();
        var queries = VectorData.UnitVectors(40, Dimension, seed: 4);

        var results = index.SearchBatch(queries, 7);

        Assert.Equal(queries.Length, results.Count);
        for (int q = 0; q < queries.Length; q++) VectorData.AssertSameHits(VectorData.BruteForce(live, queries[q], 7), results[q]);
    }

    [Fact]
    public async Task Add_ExistingIdInASegment_ReplacesItsVector()
    {
        var (index, live) = Filled(200, seed: 5);
        using var _ = index;
        await index.CompactAsync();
        var replacement = VectorData.UnitVectors(1, Dimension, seed: 6)[0];

        index.Add(1003, replacement);
        live[1003] = replacement;

        Assert.Equal(200, index.Count);
        Assert.Equal(replacement, index.Get(1003)!, new ToleranceComparer(1e-6f));
        VectorData.AssertSameHits(VectorData.BruteForce(live, replacement, 5), index.Search(replacement, 5));
        Assert.Single(index.Search(replacement, 200), h => h.Id == 1003);
    }

    [Fact]
    public async Task Remove_IdsInSegmentsAndTail_NeverReturnedAgain()
    {
        var (index, live) = Filled(300, seed: 7);
        using var _ = index;
        await index.CompactAsync();
        var removed = live.Keys.Where((_, i) => i % 7 == 0).ToList();

        bool[] outcomes = removed.Select(index.Remove).ToArray();
        foreach (int id in removed) live.Remove(id);

        Assert.All(outcomes, Assert.True);
        Assert.False(index.Remove(removed[0]));
        Assert.Equal(live.Count, index.Count);
        Assert.All(removed, id => Assert.False(index.Contains(id)));
        foreach (var query in VectorData.UnitVectors(10, Dimension, seed: 8))
            VectorData.AssertSameHits(VectorData.BruteForce(live, query, 20), index.Search(query, 20));
    }

    [Fact]
    public async Task CompactAsync_AfterRemovals_DropsTombstonesAndKeepsResults()
    {
        var (index, live) = Filled(400, seed: 9);
        using var _ = index;
        await index.CompactAsync();
        foreach (int id in live.Keys.Where((_, i) => i % 3 == 0).ToList())
        {
            index.Remove(id);
            live.Remove(id);
        }

        await index.CompactAsync();

        using (var lease = index.Acquire())
        {
            Assert.All(lease.Snapshot.Segments, s => Assert.Equal(0, s.DeadRows));
            // The first 384 rows were sealed; the tail (16 rows) is not compacted, it is sealed when full.
            Assert.Equal(live.Keys.Count(id => id < 1000 + 384 * 3), lease.Snapshot.Segments.Sum(s => s.Data.Count));
        }
        foreach (var query in VectorData.UnitVectors(10, Dimension, seed: 10))
            VectorData.AssertSameHits(VectorData.BruteForce(live, query, 10), index.Search(query, 10));
    }

    [Fact]
    public async Task Remove_PastTheRemovedShare_CompactsInTheBackground()
    {
        var (index, live) = Filled(128, seed: 11);
        using var _ = index;
        await index.CompactAsync(); // two segments of 64, empty tail
        using var compacted = new SemaphoreSlim(0);
        index.MaintenancePublished += () => compacted.Release();

        foreach (int id in live.Keys.Take(20).ToList()) index.Remove(id); // 20 of the first segment's 64 rows

        Assert.True(await compacted.WaitAsync(TimeSpan.FromSeconds(30)), "No background compaction was published.");
        using var lease = index.Acquire();
        // Removals after the compaction began may land in the rewritten segment, but never past the share.
        Assert.All(lease.Snapshot.Segments, s => Assert.True(s.DeadRows <= 0.2 * s.Data.Count, $"{s.DeadRows} of {s.Data.Count} removed."));
        Assert.True(lease.Snapshot.Segments[0].Data.Count < 64);
        Assert.Equal(108, index.Count);
    }

    [Fact]
    public void Search_ExclusionsAndScoreFloor_MatchBruteForce()
    {
        var (index, live) = Filled(250, seed: 12);
        using var _ = index;
        var query = live[1030];
        var options = new VectorSearchOptions { MinScore = 0.1f, Exclude = new HashSet<int> { 1030, 1033, 1036 } };

        var hits = index.Search(query, 50, options);

        VectorData.AssertSameHits(VectorData.BruteForce(live, query, 50, options), hits);
        Assert.DoesNotContain(hits, h => h.Id == 1030);
    }

    [Fact]
    public async Task IdsGetManyAndEnumerate_ReturnEveryLiveRowAscending()
    {
        var (index, live) = Filled(150, seed: 13);
        using var _ = index;
        await index.CompactAsync();
        index.Remove(1000);
        live.Remove(1000);
        index.Add(7, live[1003]);
        live[7] = live[1003];

        var ids = index.Ids();
        var many = index.GetMany([7, 1000, 1003]);
        var all = index.Enumerate().ToList();

        Assert.Equal(live.Keys.Order(), ids);
        Assert.Equal(ids, all.Select(p => p.Id));
        Assert.All(all, p => Assert.Equal(live[p.Id], p.Vector, new ToleranceComparer(1e-6f)));
        Assert.Null(many[1]);
        Assert.Equal(live[1003], many[2]!, new ToleranceComparer(1e-6f));
    }

    [Fact]
    public void Build_ManyVectors_MatchesBruteForce()
    {
        var vectors = VectorData.UnitVectors(3000, Dimension, seed: 14);
        var ids = Enumerable.Range(0, 3000).Select(i => 3000 - i).ToArray();
        using var index = InProcessVectorIndex.Build(Dimension, ids, vectors, options: new VectorIndexOptions { SealRows = 1000 });
        var live = ids.Zip(vectors).ToDictionary(p => p.First, p => p.Second);

        var queries = VectorData.UnitVectors(5, Dimension, seed: 15);

        var results = index.SearchBatch(queries, 10);

        Assert.Equal(3000, index.Count);
        for (int q = 0; q < queries.Length; q++) VectorData.AssertSameHits(VectorData.BruteForce(live, queries[q], 10), results[q]);
    }

    [Fact]
    public void Search_MoreThanStored_ReturnsEveryLiveRow()
    {
        var (index, live) = Filled(30, seed: 16);
        using var _ = index;

        var hits = index.Search(live[1000], 100);

        Assert.Equal(30, hits.Count);
        Assert.Equal(1000, hits[0].Id);
        Assert.Equal(1f, hits[0].Score, 5);
    }

    [Fact]
    public void Add_WrongDimension_Throws()
    {
        using var index = new InProcessVectorIndex(Dimension);

        Assert.Throws<ArgumentException>(() => index.Add(1, new float[Dimension + 1]));
        Assert.Throws<ArgumentException>(() => index.Search(new float[Dimension - 1], 3));
    }

    [Fact]
    public void Search_AfterDispose_Throws()
    {
        var (index, _) = Filled(10, seed: 17);
        index.Dispose();

        Assert.Throws<ObjectDisposedException>(() => index.Search(new float[Dimension], 3));
    }
}

/// <summary>Compares floats within a tolerance (stored vectors are normalised again, so may differ in the last bit).</summary>
internal sealed class ToleranceComparer(float tolerance) : IEqualityComparer<float>
{
    public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

    public int GetHashCode(float obj) => 0;
}

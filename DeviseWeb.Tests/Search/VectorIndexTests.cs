using DeviseWeb.Engine;
using DeviseWeb.Engine.Search;
using static TorchSharp.torch;

namespace DeviseWeb.Tests.Search;

public sealed class VectorIndexTests
{
    private static (int[] Ids, float[][] Vectors) RandomVectors(int count, int dimension, int seed)
    {
        var random = new Random(seed);
        var vectors = Enumerable.Range(0, count)
            .Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        return (Enumerable.Range(100, count).ToArray(), vectors);
    }

    [Fact]
    public void Search_RandomVectors_MatchesBruteForceCosine()
    {
        var (ids, vectors) = RandomVectors(500, 16, seed: 3);
        var index = VectorIndex.Build(ids, vectors, 16, CPU);
        var query = vectors[42].Select((v, i) => v + (i % 2 == 0 ? 0.3f : -0.2f)).ToArray();

        var hits = index.Search(query, 10);

        var expected = ids.Zip(vectors).Select(p => (Id: p.First, Score: VectorMath.Cosine(query, p.Second)))
            .OrderByDescending(p => p.Score).Take(10).ToList();
        Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Id));
        Assert.All(hits.Zip(expected), p => Assert.Equal(p.Second.Score, p.First.Score, 4));
    }

    [Fact]
    public void Search_LargeIndexScannedInBlocks_MatchesBruteForceCosine()
    {
        var (ids, vectors) = RandomVectors(60_000, 8, seed: 4);
        var index = VectorIndex.Build(ids, vectors, 8, CPU);
        var query = vectors[59_999];

        var hits = index.Search(query, 25);

        var expected = ids.Zip(vectors).Select(p => (Id: p.First, Score: VectorMath.Cosine(query, p.Second)))
            .OrderByDescending(p => p.Score).Take(25).ToList();
        Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Id));
        Assert.Equal(ids[59_999], hits[0].Id);
    }

    [Fact]
    public void With_AddedToALargeIndex_IsFoundAndScoresStayExact()
    {
        var (ids, vectors) = RandomVectors(45_000, 8, seed: 6);
        var index = VectorIndex.Build(ids, vectors, 8, CPU).With(1, vectors[123]);

        var hits = index.Search(vectors[123], 2);

        Assert.Equal(new[] { ids[123], 1 }.Order(), hits.Select(h => h.Id).Order());
        Assert.All(hits, h => Assert.Equal(1f, h.Score, 4));
    }

    [Fact]
    public void Search_StoredVector_FindsItselfFirstWithScoreOne()
    {
        var (ids, vectors) = RandomVectors(50, 8, seed: 5);
        var index = VectorIndex.Build(ids, vectors, 8, CPU);

        var best = index.Search(vectors[7], 1).Single();

        Assert.Equal(ids[7], best.Id);
        Assert.Equal(1f, best.Score, 4);
    }

    [Fact]
    public void With_NewVector_IsSearchableWhileTheOldSnapshotIsUnchanged()
    {
        var (ids, vectors) = RandomVectors(20, 8, seed: 9);
        var before = VectorIndex.Build(ids, vectors, 8, CPU);
        var added = Enumerable.Repeat(1f, 8).ToArray();

        var after = before.With(999, added);

        Assert.Equal(999, after.Search(added, 1).Single().Id);
        Assert.Equal(20, before.Count);
        Assert.Equal(21, after.Count);
        Assert.False(before.Contains(999));
    }

    [Fact]
    public void Search_MinScoreAndExclusions_DropThoseResults()
    {
        var (ids, vectors) = RandomVectors(100, 8, seed: 11);
        var index = VectorIndex.Build(ids, vectors, 8, CPU);

        var hits = index.Search(vectors[0], 100, minScore: 0.5f, exclude: new HashSet<int> { ids[0] });

        Assert.DoesNotContain(hits, h => h.Id == ids[0]);
        Assert.All(hits, h => Assert.True(h.Score >= 0.5f));
        Assert.True(hits.Count < 99);
    }
}

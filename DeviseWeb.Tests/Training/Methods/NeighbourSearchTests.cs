using System.Numerics.Tensors;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Training.Methods;
using DeviseWeb.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DeviseWeb.Tests.Training.Methods;

/// <summary>
/// The neighbour search against a brute force: every cosine in fp32, sorted by score then row. The issue's
/// bar is the same 10 neighbours as the brute force; rows whose exact cosines differ by less than float rounding
/// (<see cref="Tie"/>) may trade places, nothing else may (rows tied exactly, a row repeated, come lower row first).
/// </summary>
public sealed class NeighbourSearchTests(ITestOutputHelper output)
{
    private const int K = 10;

    /// <summary>Cosines closer than this are the same score to float arithmetic: the order between them is the rounding's.</summary>
    private const double Tie = 1e-6;

    [Fact]
    public void Nearest_ReluLikeClusteredRows_AreTheBruteForcesTenInOrderWithExactScores()
    {
        // 4,000 reference rows of 512 non-negative values in 40 clusters, as a ReLU backbone's pooled features look:
        // cosines crowd between 0.5 and 1, the hard case for an int8 shortlist. Some rows repeat (exact ties).
        var random = new Random(17);
        var centres = Enumerable.Range(0, 40).Select(_ => Centre(random, 512)).ToArray();
        var reference = Enumerable.Range(0, 4000).Select(i => Row(random, centres[i % centres.Length])).ToList();
        for (int i = 0; i < 40; i++) reference[3900 + i] = reference[i * 7];
        var queries = Enumerable.Range(0, 300).Select(i => Row(random, centres[random.Next(centres.Length)])).Concat(reference.Take(20)).ToList();

        using var search = new NeighbourSearch(reference, 512);
        var found = search.Nearest(queries, K);

        var recall = AssertMatchesBruteForce(reference, queries, found, K);
        output.WriteLine($"recall@10 {recall:0.0000} over {queries.Count} queries of {reference.Count} rows");
        Assert.True(recall >= 0.99, $"recall@10 {recall:0.0000}");
    }

    [Fact]
    [Trait(TestCategory.Name, TestCategory.Slow)]
    public async Task Nearest_TheTemplatesStoredFeatures_AreTheBruteForcesTenInOrderWithExactScores()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var features = engine.Get<FeatureStore>();
        var rows = features.GetMany(features.Ids().ToArray()).ToList();

        using var search = new NeighbourSearch(rows, features.Dimension);
        var found = search.Nearest(rows, K);

        Assert.Equal(TemplateData.ImageCount, rows.Count);
        var recall = AssertMatchesBruteForce(rows, rows, found, K);
        Assert.Equal(1.0, recall);
    }

    [Fact]
    public void Nearest_KLargerThanTheReference_ReturnsEveryRowBestFirst()
    {
        var random = new Random(3);
        var reference = Enumerable.Range(0, 6).Select(_ => Row(random, Centre(random, 16))).ToList();
        var queries = Enumerable.Range(0, 9).Select(_ => Row(random, Centre(random, 16))).ToList();

        using var search = new NeighbourSearch(reference, 16);
        var found = search.Nearest(queries, K);

        Assert.All(found, hits => Assert.Equal(Enumerable.Range(0, 6), hits.Select(h => h.Id).Order()));
        AssertMatchesBruteForce(reference, queries, found, K);
    }

    [Fact]
    public void Nearest_EmptyReference_FindsNothingForEachQuery()
    {
        using var search = new NeighbourSearch([], 8);

        var found = search.Nearest([[1, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0, 0]], K);

        Assert.Equal(0, search.Count);
        Assert.Equal(2, found.Length);
        Assert.All(found, Assert.Empty);
    }

    [Fact]
    public void ForEachBlock_MoreQueriesThanABlock_HandsEveryQueryOnceInOrderWithItsOwnAnswer()
    {
        var random = new Random(5);
        var reference = Enumerable.Range(0, 50).Select(_ => Row(random, Centre(random, 8))).ToList();
        using var search = new NeighbourSearch(reference, 8);
        var queries = Enumerable.Range(0, 2 * search.BlockSize + 5).Select(_ => Row(random, Centre(random, 8))).ToList();
        var blocks = new List<(int Start, int Count)>();
        var answers = new VectorHit[queries.Count][];

        search.ForEachBlock(queries, 3, (start, hits) =>
        {
            blocks.Add((start, hits.Count));
            for (int i = 0; i < hits.Count; i++) answers[start + i] = [.. hits[i]];
        });

        Assert.Equal([(0, search.BlockSize), (search.BlockSize, search.BlockSize), (2 * search.BlockSize, 5)], blocks);
        // Each answer is its own query's: the same as that query searched alone.
        foreach (int q in new[] { 0, search.BlockSize - 1, search.BlockSize, queries.Count - 1 })
            Assert.Equal(search.Nearest([queries[q]], 3)[0].Select(h => h.Id), answers[q].Select(h => h.Id));
        AssertMatchesBruteForce(reference, queries, answers, 3);
    }

    [Fact]
    public void ForEachBlock_CancelledDuringABlock_ThrowsBeforeTheNext()
    {
        var random = new Random(7);
        using var search = new NeighbourSearch(Enumerable.Range(0, 20).Select(_ => Row(random, Centre(random, 4))).ToList(), 4);
        var queries = Enumerable.Range(0, 3 * search.BlockSize).Select(_ => Row(random, Centre(random, 4))).ToList();
        using var cancellation = new CancellationTokenSource();
        var starts = new List<int>();

        Assert.Throws<OperationCanceledException>(() => search.ForEachBlock(queries, K, (start, _) =>
        {
            starts.Add(start);
            cancellation.Cancel();
        }, cancellation.Token));

        Assert.Equal([0], starts);
    }

    [Fact]
    public void Nearest_CancelledBefore_ThrowsWithoutSearching()
    {
        using var search = new NeighbourSearch([[1, 0], [0, 1]], 2);

        Assert.Throws<OperationCanceledException>(() => search.Nearest([[1, 0]], K, new CancellationToken(canceled: true)));
    }

    /// <summary>
    /// Asserts each query's hits are the brute force's k in its order (rows tied to float rounding may trade places) with
    /// their exact cosines; returns the recall of the brute force's k over all queries.
    /// </summary>
    private static double AssertMatchesBruteForce(IReadOnlyList<float[]> reference, IReadOnlyList<float[]> queries, IReadOnlyList<VectorHit[]> found, int k)
    {
        var units = reference.Select(r => VectorMath.Normalized(r)).ToArray();
        int expectedCount = Math.Min(k, reference.Count), agreed = 0;
        for (int q = 0; q < queries.Count; q++)
        {
            var query = VectorMath.Normalized(queries[q]);
            var exact = units.Select(u => (double)TensorPrimitives.Dot(u, query)).ToArray();
            var brute = Enumerable.Range(0, units.Length).OrderByDescending(r => exact[r]).ThenBy(r => r).Take(k).ToArray();
            var hits = found[q];
            Assert.Equal(expectedCount, hits.Length);
            for (int rank = 0; rank < hits.Length; rank++)
            {
                Assert.True(Math.Abs(hits[rank].Score - exact[hits[rank].Id]) < 1e-5,
                    $"query {q} rank {rank}: score {hits[rank].Score} for row {hits[rank].Id}, exact {exact[hits[rank].Id]}");
                double apart = Math.Abs(exact[hits[rank].Id] - exact[brute[rank]]);
                Assert.True(hits[rank].Id == brute[rank] || apart is > 0 and < Tie, // the same row repeated ties exactly: lower row first
                    $"query {q} rank {rank}: row {hits[rank].Id} ({exact[hits[rank].Id]:0.0000000}), brute force row {brute[rank]} ({exact[brute[rank]]:0.0000000})");
            }
            agreed += hits.Select(h => h.Id).Intersect(brute).Count();
        }
        return agreed / (double)(queries.Count * expectedCount);
    }


    /// <summary>A cluster's centre: log-normal magnitudes with about a third of the values switched off.</summary>
    private static float[] Centre(Random random, int dimension) =>
        Enumerable.Range(0, dimension).Select(_ => random.NextDouble() < 0.35 ? 0f : (float)Math.Exp(Gaussian(random) * 0.8)).ToArray();

    /// <summary>A row near a centre, through a ReLU: non-negative, some values exactly 0.</summary>
    private static float[] Row(Random random, float[] centre) =>
        centre.Select(c => Math.Max(0f, c + (float)(Gaussian(random) * 0.6))).ToArray();

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

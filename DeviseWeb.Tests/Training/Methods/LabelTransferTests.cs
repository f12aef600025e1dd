using System.Numerics.Tensors;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Training.Methods;

namespace DeviseWeb.Tests.Training.Methods;

/// <summary>Label transfer's arithmetic on tiny hand-checked examples, against the brute force it replaced, and its reference's cap.</summary>
public sealed class LabelTransferTests
{
    private static readonly float[][] Axes = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];

    [Fact]
    public void Softmax_SumsToOneAndSharpensWithLowTemperature()
    {
        var warm = LabelTransfer.Softmax([0.9f, 0.8f], 1.0);
        var cold = LabelTransfer.Softmax([0.9f, 0.8f], LabelTransfer.Temperature);

        Assert.Equal(1f, warm.Sum(), 5);
        Assert.Equal(1f, cold.Sum(), 5);
        Assert.True(cold[0] > warm[0]);
        Assert.Equal(1 / (1 + MathF.Exp(-2f)), cold[0], 4); // (0.9 − 0.8) / 0.05 = 2
    }

    [Fact]
    public void Blend_WeightZero_KeepsTheEmbeddings()
    {
        float[][] embeddings = [[0, 1, 0]];

        var result = new LabelTransfer(Axes, Axes, weight: 0).Blend(embeddings, [Axes[0]]);

        Assert.Equal(embeddings[0], result[0]);
    }

    [Fact]
    public void Blend_WeightOneAndOneClearlyNearestReference_IsThatReferencesVector()
    {
        // The query's features lie at 6° from the first reference and 84° from the other: at temperature 0.05 the
        // first one's softmax weight is e^((0.995 − 0.1) / 0.05) times the second's, so the average is its vector.
        float[][] referenceFeatures = [[1, 0], [0, 1]];
        float[][] referenceVectors = [[0, 0, 1], [0, 1, 0]];

        var result = new LabelTransfer(referenceFeatures, referenceVectors, weight: 1).Blend([[1, 0, 0]], [[0.995f, 0.1f]]);

        Assert.Equal(1f, VectorMath.Cosine(result[0], [0, 0, 1]), 5);
    }

    [Fact]
    public void Blend_HalfWeight_IsTheNormalisedMidpointOfEmbeddingAndNeighbourAverage()
    {
        var result = new LabelTransfer([[1, 0]], [[0, 1, 0]], weight: 0.5).Blend([[1, 0, 0]], [[3, 0]]);

        Assert.Equal(1f, VectorMath.Cosine(result[0], [1, 1, 0]), 5);
        Assert.Equal(1f, MathF.Sqrt(result[0].Sum(v => v * v)), 5);
    }

    [Fact]
    public void Blend_MoreReferencesThanNeighbours_AveragesOnlyTheNearestTen()
    {
        // Ten references point the same way as the query's features and carry vector x; twenty point away and carry y.
        var features = Enumerable.Repeat(new float[] { 1, 0 }, LabelTransfer.Neighbours).Concat(Enumerable.Repeat(new float[] { 0, 1 }, 20)).ToArray();
        var vectors = Enumerable.Repeat(new float[] { 1, 0 }, LabelTransfer.Neighbours).Concat(Enumerable.Repeat(new float[] { 0, 1 }, 20)).ToArray();

        var result = new LabelTransfer(features, vectors, weight: 1).Blend([[0, 1]], [[1, 0]]);

        Assert.Equal(1f, VectorMath.Cosine(result[0], [1, 0]), 5);
    }

    [Fact]
    public void Blend_RandomRows_EqualsTheBruteForceItReplaced()
    {
        // A few hundred ReLU-like rows: the old algorithm scored every reference row, sorted them all and averaged the top 10.
        var random = new Random(11);
        var centres = Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, 64).Select(_ => (float)random.NextDouble() * 2).ToArray()).ToArray();
        float[] Near(int cluster) => centres[cluster].Select(c => Math.Max(0f, c + (float)(random.NextDouble() - 0.5) * 1.5f)).ToArray();
        float[] Unit(int dimension) => VectorMath.Normalized(Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray());
        var referenceFeatures = Enumerable.Range(0, 400).Select(i => Near(i % centres.Length)).ToArray();
        var referenceVectors = referenceFeatures.Select(_ => Unit(24)).ToArray();
        var features = Enumerable.Range(0, 300).Select(_ => Near(random.Next(centres.Length))).ToArray();
        var embeddings = features.Select(_ => Unit(24)).ToArray();

        using var transfer = new LabelTransfer(referenceFeatures, referenceVectors, weight: 0.5);
        var blended = transfer.Blend(embeddings, features);
        var expected = BruteForceBlend(referenceFeatures, referenceVectors, 0.5, embeddings, features);

        for (int i = 0; i < features.Length; i++)
            for (int d = 0; d < expected[i].Length; d++)
                Assert.True(Math.Abs(expected[i][d] - blended[i][d]) < 1e-4, $"row {i} value {d}: {blended[i][d]}, brute force {expected[i][d]}");
    }

    [Fact]
    public void Blend_ReportsEachBlockAndStopsWhenCancelled()
    {
        using var transfer = new LabelTransfer(Axes, Axes, weight: 0.5);
        var rows = Enumerable.Range(0, 10_000).Select(i => Axes[i % 3]).ToArray();
        using var cancellation = new CancellationTokenSource();
        var done = new List<int>();

        var result = transfer.Blend(rows, rows, done.Add);
        Assert.Throws<OperationCanceledException>(() => transfer.Blend(rows, rows, d => cancellation.Cancel(), cancellation.Token));

        Assert.Equal(rows.Length, result.Length);
        Assert.True(done.Count > 1, $"{done.Count} blocks");
        Assert.Equal(rows.Length, done[^1]);
        Assert.Equal(done.Order(), done);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(LabelTransfer.ReferenceLimit)]
    public void ReferenceIds_UpToTheLimit_KeepsEveryIdAscending(int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => 3 * i + 1).Reverse().ToList();

        var picked = LabelTransfer.ReferenceIds(ids);

        Assert.Equal(ids.Order(), picked);
    }

    [Theory]
    [InlineData(LabelTransfer.ReferenceLimit + 1)]
    [InlineData(3 * LabelTransfer.ReferenceLimit + 7)]
    [InlineData(750_000)]
    public void ReferenceIds_AboveTheLimit_PicksExactlyTheLimitEvenlySpacedWhateverTheOrder(int count)
    {
        var random = new Random(count);
        var ordered = Enumerable.Range(0, count).Select(i => 2 * i + random.Next(2)).ToArray(); // ascending, unevenly numbered
        var shuffled = ordered.OrderBy(_ => random.Next()).ToList();

        var picked = LabelTransfer.ReferenceIds(ordered);

        Assert.Equal(LabelTransfer.ReferenceLimit, picked.Count);
        Assert.Equal(picked, LabelTransfer.ReferenceIds(shuffled));
        Assert.Equal(ordered[0], picked[0]);
        // Evenly spaced in id order: consecutive picks are floor or ceiling of count / limit places apart.
        var place = picked.Select(id => Array.BinarySearch(ordered, id)).ToArray();
        Assert.All(place, p => Assert.True(p >= 0));
        double step = count / (double)LabelTransfer.ReferenceLimit;
        for (int i = 1; i < place.Length; i++)
            Assert.InRange(place[i] - place[i - 1], (int)Math.Floor(step), (int)Math.Ceiling(step));
        Assert.InRange(place[^1], count - (int)Math.Ceiling(step), count - 1);
    }

    /// <summary>Label transfer as it was before the neighbour search: every cosine, one full sort per image, the top 10.</summary>
    private static float[][] BruteForceBlend(float[][] referenceFeatures, float[][] referenceVectors, double weight, float[][] embeddings, float[][] features)
    {
        var units = referenceFeatures.Select(f => VectorMath.Normalized(f)).ToArray();
        var vectors = referenceVectors.Select(v => VectorMath.Normalized(v)).ToArray();
        var result = new float[embeddings.Length][];
        for (int i = 0; i < embeddings.Length; i++)
        {
            var feature = VectorMath.Normalized(features[i]);
            var cosines = units.Select(u => TensorPrimitives.Dot(feature, u)).ToArray();
            var nearest = Enumerable.Range(0, cosines.Length).OrderByDescending(j => cosines[j]).Take(LabelTransfer.Neighbours).ToArray();
            double max = nearest.Max(j => cosines[j]);
            var weights = nearest.Select(j => Math.Exp((cosines[j] - max) / LabelTransfer.Temperature)).ToArray();
            double total = weights.Sum();
            var average = new double[embeddings[i].Length];
            for (int n = 0; n < nearest.Length; n++)
                for (int d = 0; d < average.Length; d++) average[d] += weights[n] / total * vectors[nearest[n]][d];
            var unitAverage = VectorMath.Normalized(average.Select(a => (float)a).ToArray());
            result[i] = VectorMath.Normalized(unitAverage.Select((a, d) => (float)(weight * a + (1 - weight) * embeddings[i][d])).ToArray());
        }
        return result;
    }
}

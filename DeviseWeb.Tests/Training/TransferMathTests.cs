using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Training;

/// <summary>The methods' arithmetic on tiny hand-checked examples.</summary>
public sealed class TransferMathTests
{
    private static readonly float[][] Axes = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];

    [Fact]
    public void ConvexCombination_OrthogonalVectors_WeightsAreTheRenormalisedTopProbabilities()
    {
        var result = TransferMath.ConvexCombination([0.6f, 0.3f, 0.1f], Axes, top: 2);

        // Weights 0.6/0.9 and 0.3/0.9 on the first two axes, nothing on the third, then unit length.
        float norm = MathF.Sqrt((2f / 3) * (2f / 3) + (1f / 3) * (1f / 3));
        Assert.Equal(2f / 3 / norm, result[0], 4);
        Assert.Equal(1f / 3 / norm, result[1], 4);
        Assert.Equal(0f, result[2], 6);
    }

    [Fact]
    public void ConvexCombination_BeforeNormalising_LiesInTheConvexHullOfTheChosenVectors()
    {
        float[][] vectors = [[1, 0], [0, 1], [-1, 0]];

        var result = TransferMath.ConvexCombination([0.5f, 0.5f, 0f], vectors, top: 3);

        // Equal weights on (1,0) and (0,1): the direction of (0.5, 0.5); the zero-probability vector adds nothing.
        Assert.Equal(result[0], result[1], 5);
        Assert.True(result[0] > 0);
        Assert.Equal(1f, VectorMath.Cosine(result, [1, 1]), 5);
    }

    [Fact]
    public void ConvexCombination_TopOne_IsThatLabelsVector()
    {
        var result = TransferMath.ConvexCombination([0.2f, 0.7f, 0.1f], Axes, top: 1);

        Assert.Equal(Axes[1], result);
    }

    [Fact]
    public void Softmax_SumsToOneAndSharpensWithLowTemperature()
    {
        var warm = TransferMath.Softmax([0.9f, 0.8f], 1.0);
        var cold = TransferMath.Softmax([0.9f, 0.8f], 0.05);

        Assert.Equal(1f, warm.Sum(), 5);
        Assert.Equal(1f, cold.Sum(), 5);
        Assert.True(cold[0] > warm[0]);
        Assert.Equal(1 / (1 + MathF.Exp(-2f)), cold[0], 4); // (0.9 − 0.8) / 0.05 = 2
    }

    [Fact]
    public void Blend_WeightZero_KeepsTheEmbeddings()
    {
        float[][] embeddings = [[0, 1, 0]];

        var result = TransferMath.Blend(embeddings, [Axes[0]], Axes, Axes, neighbours: 2, temperature: 0.05, weight: 0);

        Assert.Equal(embeddings[0], result[0]);
    }

    [Fact]
    public void Blend_WeightOneWithOneNeighbour_IsTheNearestReferencesVector()
    {
        float[][] referenceFeatures = [[1, 0], [0, 1]];
        float[][] referenceVectors = [[0, 0, 1], [0, 1, 0]];

        var result = TransferMath.Blend([[1, 0, 0]], [VectorMath.Normalized([0.9f, 0.1f])], referenceFeatures, referenceVectors, neighbours: 1, temperature: 0.05, weight: 1);

        Assert.Equal([0f, 0f, 1f], result[0]);
    }

    [Fact]
    public void Blend_HalfWeight_IsTheNormalisedMidpointOfEmbeddingAndNeighbourAverage()
    {
        var result = TransferMath.Blend([[1, 0, 0]], [[1, 0]], [[1, 0]], [[0, 1, 0]], neighbours: 10, temperature: 0.05, weight: 0.5);

        Assert.Equal(1f, VectorMath.Cosine(result[0], [1, 1, 0]), 5);
        Assert.Equal(1f, MathF.Sqrt(result[0].Sum(v => v * v)), 5);
    }

    [Fact]
    public void HubPenalty_IsTheMeanCosineToTheKNearestReferences()
    {
        float[][] references = [[1, 0], [0, 1], VectorMath.Normalized([1, 1])];
        float[][] images = [[1, 0]];

        var penalty = TransferMath.HubPenalty(images, references, k: 2);

        // Cosines 1, 0 and 0.7071: the two nearest average (1 + 0.7071) / 2.
        Assert.Equal((1 + MathF.Sqrt(0.5f)) / 2, penalty[0], 4);
    }

    [Fact]
    public void Coral_MapsTheSourceToTheTargetsMeanAndCovariance()
    {
        var random = new Random(1);
        float[][] source = Enumerable.Range(0, 400).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() * 3 }).ToArray();
        float[][] target = Enumerable.Range(0, 400).Select(_ => new[] { 5 + (float)random.NextDouble() * 4, -2 + (float)random.NextDouble() }).ToArray();

        var mapped = TransferMath.Coral(source, target);

        Assert.Equal(target.Average(t => t[0]), mapped.Average(m => m[0]), 2);
        Assert.Equal(target.Average(t => t[1]), mapped.Average(m => m[1]), 2);
        // With the identity added to both covariances, a variance maps as v_s · (v_t + 1) / (v_s + 1) (columns here are independent).
        for (int c = 0; c < 2; c++)
        {
            double expected = Variance(source, c) * (Variance(target, c) + 1) / (Variance(source, c) + 1);
            Assert.InRange(Variance(mapped, c), expected * 0.9, expected * 1.1);
        }
    }

    [Fact]
    public void Coral_MoreRowsThanItSamples_StillMapsEveryRowToTheTargetsMean()
    {
        var random = new Random(2);
        int count = TransferMath.CoralSampleRows + 20_000;
        float[][] source = Enumerable.Range(0, count).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() * 3 }).ToArray();
        float[][] target = Enumerable.Range(0, count).Select(_ => new[] { 5 + (float)random.NextDouble() * 4, -2 + (float)random.NextDouble() }).ToArray();

        var mapped = TransferMath.Coral(source, target);

        Assert.Equal(count, mapped.Length);
        Assert.Equal(target.Average(t => t[0]), mapped.Average(m => m[0]), 1);
        Assert.Equal(target.Average(t => t[1]), mapped.Average(m => m[1]), 1);
        Assert.All(mapped, m => Assert.True(float.IsFinite(m[0]) && float.IsFinite(m[1])));
    }

    private static double Variance(float[][] rows, int column)
    {
        double mean = rows.Average(r => r[column]);
        return rows.Sum(r => (r[column] - mean) * (r[column] - mean)) / (rows.Length - 1);
    }
}

using DeviseWeb.Engine;
using DeviseWeb.Engine.Training.Methods;

namespace DeviseWeb.Tests.Training.Methods;

/// <summary>Label transfer's arithmetic on tiny hand-checked examples.</summary>
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
}

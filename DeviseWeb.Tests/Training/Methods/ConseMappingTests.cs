using DeviseWeb.Engine;
using DeviseWeb.Engine.Training.Methods;
using static TorchSharp.torch;

namespace DeviseWeb.Tests.Training.Methods;

/// <summary>ConSE's convex combination on tiny hand-checked examples: the logits are chosen so the softmax is known.</summary>
public sealed class ConseMappingTests
{
    private static readonly float[][] Axes = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];

    private static float[] Embed(ConseMapping mapping, float[] probabilities)
    {
        using var logits = tensor(probabilities.Select(p => MathF.Log(p)).ToArray(), [1, probabilities.Length]);
        using var embedded = mapping.Embed(logits);
        return TensorRows.ToRows(embedded)[0];
    }

    [Fact]
    public void Embed_OrthogonalVectors_WeightsAreTheProbabilities()
    {
        var result = Embed(new ConseMapping(["a", "b", "c"], Axes), [0.6f, 0.3f, 0.1f]);

        // All three within the top 10: weights 0.6, 0.3, 0.1 on the axes, then unit length.
        float norm = MathF.Sqrt(0.36f + 0.09f + 0.01f);
        Assert.Equal(0.6f / norm, result[0], 4);
        Assert.Equal(0.3f / norm, result[1], 4);
        Assert.Equal(0.1f / norm, result[2], 4);
    }

    [Fact]
    public void Embed_MoreClassesThanTheTop_CombinesOnlyTheTenMostProbable()
    {
        // Twelve classes: the ten likeliest all point along x, the two least likely along y.
        var labels = Enumerable.Range(0, 12).Select(i => $"l{i}").ToList();
        var vectors = Enumerable.Range(0, 12).Select(i => i < ConseMapping.Top ? new float[] { 1, 0 } : new float[] { 0, 1 }).ToArray();
        var probabilities = Enumerable.Range(0, 12).Select(i => i < ConseMapping.Top ? 0.09f : 0.05f).ToArray();

        var result = Embed(new ConseMapping(labels, vectors), probabilities);

        Assert.Equal(1f, VectorMath.Cosine(result, [1, 0]), 5);
    }

    [Fact]
    public void Targets_AreTheClassIndicesAndOnlyClassesCanBeLearned()
    {
        var mapping = new ConseMapping(["cat", "dog"], [[1, 0], [0, 1]]);

        using var targets = mapping.Targets(["dog", "cat", "dog"], CPU);

        Assert.Equal([1L, 0L, 1L], targets.data<long>().ToArray());
        Assert.True(mapping.CanLearn("cat"));
        Assert.False(mapping.CanLearn("bear"));
        Assert.Equal(2, mapping.OutputSize);
    }
}

using System.Numerics.Tensors;

namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// Label transfer in feature space: an image's vector is blended, with the options' weight, with the
/// softmax-weighted average (backbone cosine / <see cref="Temperature"/>) of what its <see cref="Neighbours"/> nearest
/// training images map to. A photograph whose nearest drawings are bears moves toward where the head puts those bears.
/// The reference is the training images only: never an evaluation-only image.
/// </summary>
internal sealed class LabelTransfer
{
    /// <summary>Training images averaged per image. 10, never tuned.</summary>
    public const int Neighbours = 10;

    /// <summary>Softmax temperature over backbone cosines. 0.05, never tuned.</summary>
    public const double Temperature = 0.05;

    private readonly float[][] _referenceFeatures;
    private readonly float[][] _referenceVectors;
    private readonly double _weight;

    /// <param name="features">The training images' backbone features.</param>
    /// <param name="vectors">What the head maps each of them to.</param>
    public LabelTransfer(IReadOnlyList<float[]> features, IReadOnlyList<float[]> vectors, double weight)
    {
        if (features.Count != vectors.Count) throw new ArgumentException("One vector per reference image.", nameof(vectors));
        _referenceFeatures = features.Select(f => VectorMath.Normalized(f)).ToArray();
        _referenceVectors = vectors.Select(v => VectorMath.Normalized(v)).ToArray();
        _weight = weight;
    }

    /// <summary>Each embedding blended with its neighbours' average; features are the same images' backbone features. Returns unit rows.</summary>
    public float[][] Blend(IReadOnlyList<float[]> embeddings, IReadOnlyList<float[]> features)
    {
        var result = new float[embeddings.Count][];
        int k = Math.Min(Neighbours, _referenceFeatures.Length);
        if (k == 0) return [.. embeddings];
        Parallel.For(0, embeddings.Count, i =>
        {
            var feature = VectorMath.Normalized(features[i]);
            var cosines = new float[_referenceFeatures.Length];
            for (int j = 0; j < cosines.Length; j++) cosines[j] = TensorPrimitives.Dot(feature, _referenceFeatures[j]);
            var nearest = Enumerable.Range(0, cosines.Length).OrderByDescending(j => cosines[j]).Take(k).ToArray();
            var weights = Softmax(nearest.Select(j => cosines[j]).ToArray(), Temperature);
            var average = new float[embeddings[i].Length];
            for (int n = 0; n < nearest.Length; n++) TensorPrimitives.MultiplyAdd(_referenceVectors[nearest[n]], weights[n], average, average);
            var blended = new float[average.Length];
            TensorPrimitives.Multiply(VectorMath.Normalized(average), (float)_weight, blended);
            TensorPrimitives.MultiplyAdd(embeddings[i], (float)(1 - _weight), blended, blended);
            result[i] = VectorMath.Normalized(blended);
        });
        return result;
    }

    /// <summary>Softmax of <paramref name="scores"/> / <paramref name="temperature"/>, stable for large scores.</summary>
    public static float[] Softmax(ReadOnlySpan<float> scores, double temperature)
    {
        var result = new float[scores.Length];
        if (scores.Length == 0) return result;
        float max = TensorPrimitives.Max(scores);
        double total = 0;
        for (int i = 0; i < scores.Length; i++) total += result[i] = (float)Math.Exp((scores[i] - max) / temperature);
        for (int i = 0; i < scores.Length; i++) result[i] = (float)(result[i] / total);
        return result;
    }
}

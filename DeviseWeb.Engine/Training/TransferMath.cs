using System.Numerics.Tensors;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace DeviseWeb.Engine.Training;

/// <summary>
/// The arithmetic of the methods that move photographs toward the clip-art the head learned from, on plain rows so
/// each is testable on a tiny example: ConSE's convex combination, label transfer's neighbour average, CSLS's hub
/// penalty and CORAL's recolouring.
/// </summary>
public static class TransferMath
{
    /// <summary>ConSE: the top-<paramref name="top"/> rows of <paramref name="vectors"/> weighted by their renormalised probabilities, as a unit vector.</summary>
    public static float[] ConvexCombination(ReadOnlySpan<float> probabilities, IReadOnlyList<float[]> vectors, int top)
    {
        var order = Enumerable.Range(0, probabilities.Length).ToArray();
        var keys = probabilities.ToArray();
        Array.Sort(keys.Select(k => -k).ToArray(), order);
        var chosen = order.Take(Math.Min(top, order.Length)).ToArray();
        float total = chosen.Sum(i => keys[i]);
        var result = new float[vectors[0].Length];
        foreach (var i in chosen)
        {
            float weight = total > 0 ? keys[i] / total : 1f / chosen.Length;
            TensorPrimitives.MultiplyAdd(vectors[i], weight, result, result);
        }
        return VectorMath.Normalized(result);
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

    /// <summary>
    /// Label transfer: each embedding blended, with <paramref name="weight"/>, with the softmax-weighted (cosine /
    /// temperature) average of the reference vectors of its <paramref name="neighbours"/> nearest reference features.
    /// Features must be unit rows (cosine = dot). Returns unit rows.
    /// </summary>
    public static float[][] Blend(IReadOnlyList<float[]> embeddings, IReadOnlyList<float[]> features,
        IReadOnlyList<float[]> referenceFeatures, IReadOnlyList<float[]> referenceVectors, int neighbours, double temperature, double weight)
    {
        var result = new float[embeddings.Count][];
        int k = Math.Min(neighbours, referenceFeatures.Count);
        Parallel.For(0, embeddings.Count, i =>
        {
            var cosines = new float[referenceFeatures.Count];
            for (int j = 0; j < cosines.Length; j++) cosines[j] = TensorPrimitives.Dot(features[i], referenceFeatures[j]);
            var nearest = Enumerable.Range(0, cosines.Length).OrderByDescending(j => cosines[j]).Take(k).ToArray();
            var weights = Softmax(nearest.Select(j => cosines[j]).ToArray(), temperature);
            var average = new float[embeddings[i].Length];
            for (int n = 0; n < nearest.Length; n++) TensorPrimitives.MultiplyAdd(VectorMath.Normalized(referenceVectors[nearest[n]]), weights[n], average, average);
            var blended = new float[average.Length];
            TensorPrimitives.Multiply(VectorMath.Normalized(average), (float)weight, blended);
            TensorPrimitives.MultiplyAdd(embeddings[i], (float)(1 - weight), blended, blended);
            result[i] = VectorMath.Normalized(blended);
        });
        return result;
    }

    /// <summary>
    /// CSLS (Conneau et al. 2018) for text→image: an image's hub penalty is its mean cosine to its k nearest
    /// reference text vectors, and a query ranks images by 2·cos − penalty, so an image near every word stops
    /// topping every search. Rows must be unit vectors.
    /// </summary>
    public static float[] HubPenalty(IReadOnlyList<float[]> images, IReadOnlyList<float[]> references, int k)
    {
        var penalty = new float[images.Count];
        int depth = Math.Min(k, references.Count);
        Parallel.For(0, images.Count, i =>
        {
            var cosines = references.Select(r => TensorPrimitives.Dot(images[i], r)).OrderDescending().Take(depth);
            penalty[i] = depth == 0 ? 0 : cosines.Sum() / depth;
        });
        return penalty;
    }

    /// <summary>Rows whose statistics CORAL estimates, at most: enough for a 512×512 covariance, and a million-image gallery is never copied whole to float64.</summary>
    public const int CoralSampleRows = 50_000;

    /// <summary>
    /// CORAL (Sun et al. 2016): source rows whitened by their own covariance and recoloured with the target's,
    /// means moved to the target's, so second-order statistics match. Both covariances get +1 on the diagonal, as in the paper.
    /// The statistics come from at most <see cref="CoralSampleRows"/> evenly spaced rows of each; the map is applied in batches.
    /// </summary>
    public static float[][] Coral(IReadOnlyList<float[]> source, IReadOnlyList<float[]> target) => CoralMap.Fit(source, target).Apply(source);

    internal static IReadOnlyList<float[]> Sample(IReadOnlyList<float[]> rows)
    {
        if (rows.Count <= CoralSampleRows) return rows;
        double step = rows.Count / (double)CoralSampleRows;
        return Enumerable.Range(0, CoralSampleRows).Select(i => rows[(int)(i * step)]).ToList();
    }

    internal static (Tensor Mean, Tensor Covariance) Moments(Tensor rows)
    {
        var mean = rows.mean([0], keepdim: true);
        var centred = rows - mean;
        var covariance = centred.t().mm(centred) / Math.Max(1, rows.shape[0] - 1) + eye(rows.shape[1], dtype: float64);
        return (mean, covariance);
    }

    internal static Tensor MatrixPower(Tensor symmetric, double power)
    {
        var (values, vectors) = linalg.eigh(symmetric);
        return vectors.mm(diag(values.clamp_min(1e-9).pow(power))).mm(vectors.t());
    }
}

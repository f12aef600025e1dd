using System.Numerics.Tensors;
using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// Label transfer in feature space: an image's vector is blended, with the options' weight, with the
/// softmax-weighted average (backbone cosine / <see cref="Temperature"/>) of what its <see cref="Neighbours"/> nearest
/// training images map to. A photograph whose nearest drawings are bears moves toward where the head puts those bears.
/// The reference is the training images only, never an evaluation-only image, and at most <see cref="ReferenceLimit"/>
/// of them (<see cref="ReferenceIds"/>). The neighbours come from one <see cref="NeighbourSearch"/>, the same for the
/// gallery at training, each imported image and each reference photo. Owns that search's index: dispose it.
/// </summary>
internal sealed class LabelTransfer : IDisposable
{
    /// <summary>Training images averaged per image. 10, never tuned.</summary>
    public const int Neighbours = 10;

    /// <summary>Softmax temperature over backbone cosines. 0.05, never tuned.</summary>
    public const double Temperature = 0.05;

    /// <summary>
    /// Training images in the reference, at most: 50,000, evenly spaced over the training ids (as CORAL's statistics
    /// come from at most 50,000 rows). The neighbour search is a scan of the reference per image, so a reference that
    /// grew with the gallery made training quadratic in it (a million images against 750,000 references is 3.8·10¹⁴
    /// multiply-adds) and every import and reference photo slower as the labelled set grew; capped, both stay
    /// linear and bounded. A gallery of up to about 66,000 images (three quarters of them training images) keeps
    /// every training image; 50 per label of 1,000 labels are left at the cap.
    /// </summary>
    public const int ReferenceLimit = 50_000;

    private readonly NeighbourSearch _search;
    private readonly float[][] _referenceVectors;
    private readonly double _weight;

    /// <param name="features">The reference images' backbone features.</param>
    /// <param name="vectors">What the head maps each of them to.</param>
    public LabelTransfer(IReadOnlyList<float[]> features, IReadOnlyList<float[]> vectors, double weight)
    {
        if (features.Count != vectors.Count) throw new ArgumentException("One vector per reference image.", nameof(vectors));
        _referenceVectors = vectors.Select(v => VectorMath.Normalized(v)).ToArray();
        _search = new NeighbourSearch(features, features.Count > 0 ? features[0].Length : 1);
        _weight = weight;
    }

    /// <summary>Images in the reference.</summary>
    public int Count => _search.Count;

    /// <summary>
    /// The training images label transfer averages over: all of them up to <see cref="ReferenceLimit"/>, else that many
    /// evenly spaced in id order. Training and a version's load pick the same ones from the same ids.
    /// </summary>
    public static IReadOnlyList<int> ReferenceIds(IReadOnlyList<int> trainImageIds) =>
        EvenlySpaced.Take(trainImageIds.Order().ToArray(), ReferenceLimit);

    /// <summary>
    /// Each embedding blended with its neighbours' average; features are the same images' backbone features. Returns
    /// unit rows. <paramref name="blockDone"/> hears how many rows are done after each block of the neighbour search.
    /// </summary>
    public float[][] Blend(IReadOnlyList<float[]> embeddings, IReadOnlyList<float[]> features, Action<int>? blockDone = null,
        CancellationToken cancellationToken = default)
    {
        if (embeddings.Count != features.Count) throw new ArgumentException("One feature row per embedding.", nameof(features));
        if (Math.Min(Neighbours, _search.Count) == 0) return [.. embeddings];
        var result = new float[embeddings.Count][];
        _search.ForEachBlock(features, Neighbours, (start, nearest) =>
        {
            Parallel.For(0, nearest.Count, i => result[start + i] = Mix(embeddings[start + i], nearest[i]));
            blockDone?.Invoke(start + nearest.Count);
        }, cancellationToken);
        return result;
    }

    private float[] Mix(float[] embedding, IReadOnlyList<VectorHit> nearest)
    {
        Span<float> cosines = stackalloc float[nearest.Count];
        for (int n = 0; n < nearest.Count; n++) cosines[n] = nearest[n].Score;
        var weights = Softmax(cosines, Temperature);
        var average = new float[embedding.Length];
        for (int n = 0; n < nearest.Count; n++) TensorPrimitives.MultiplyAdd(_referenceVectors[nearest[n].Id], weights[n], average, average);
        var blended = new float[average.Length];
        TensorPrimitives.Multiply(VectorMath.Normalized(average), (float)_weight, blended);
        TensorPrimitives.MultiplyAdd(embedding, (float)(1 - _weight), blended, blended);
        return VectorMath.Normalized(blended);
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

    public void Dispose() => _search.Dispose();
}

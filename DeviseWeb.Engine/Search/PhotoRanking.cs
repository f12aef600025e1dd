using System.Numerics.Tensors;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Engine.Search;

/// <summary>
/// How a photo query ranks images: the cosine of backbone features, centred on the gallery's mean so that unrelated
/// photographs score near 0 rather than 0.6, blended with the cosine of the semantic embeddings. The backbone finds
/// copies and look-alikes first (a copy scores near 1 on both); the embedding then ranks the same kind of thing above
/// the merely similar-looking. A query that also has words gives the features its photos' share of the parts.
/// </summary>
public sealed class PhotoRanking(FeatureStore features)
{
    /// <summary>Share of the backbone's cosine in a photo-only query's score: measured on the evaluation set (docs/methods.md).</summary>
    public const float FeatureWeight = 0.5f;

    /// <summary>Candidates each side (backbone, embedding) brings for the blended re-rank, at least.</summary>
    private const int MinPool = 100;

    /// <summary>
    /// The k best images for photos (<paramref name="photoFeatures"/>, raw backbone features) and the query's embedding
    /// (<paramref name="queryEmbedding"/>, every part of the query: photos and words), searching <paramref name="embeddings"/>.
    /// </summary>
    public IReadOnlyList<VectorHit> Search(IVectorIndex embeddings, IReadOnlyList<float[]> photoFeatures, float[] queryEmbedding, float featureWeight,
        int k, VectorSearchOptions? options = null, bool centre = true)
    {
        options ??= VectorSearchOptions.None;
        var mean = centre ? features.Mean() : new float[features.Dimension];
        var query = Query(photoFeatures, mean);
        int pool = Math.Max(MinPool, 4 * k + (options.Exclude?.Count ?? 0));
        var candidates = new HashSet<int>();
        foreach (var hit in features.Index.Search(Raw(photoFeatures), pool)) candidates.Add(hit.Id);
        foreach (var hit in embeddings.Search(queryEmbedding, pool)) candidates.Add(hit.Id);
        if (options.Exclude is { } exclude) candidates.ExceptWith(exclude);
        var ids = candidates.Order().ToList();
        var stored = features.FindMany(ids);
        var hits = new List<VectorHit>(ids.Count);
        for (int i = 0; i < ids.Count; i++)
        {
            if (stored[i] is not { } candidate || embeddings.Get(ids[i]) is not { } embedding) continue;
            float score = Score(query, Centred(candidate, mean), queryEmbedding, embedding, featureWeight);
            if (score >= options.MinScore) hits.Add(new VectorHit(ids[i], score));
        }
        return hits.OrderByDescending(h => h.Score).ThenBy(h => h.Id).Take(k).ToList();
    }

    /// <summary>The centred, unit query of one or more photos: the normalised sum of each one's centred unit vector.</summary>
    public static float[] Query(IReadOnlyList<float[]> photoFeatures, float[] mean)
    {
        var sum = new float[mean.Length];
        foreach (var photo in photoFeatures) TensorPrimitives.Add(sum, Centred(photo, mean), sum);
        return VectorMath.Normalized(sum);
    }

    /// <summary>A photo's features less the gallery's mean, as a unit vector (both read as unit vectors first).</summary>
    public static float[] Centred(float[] photo, float[] mean)
    {
        var centred = VectorMath.Normalized(photo);
        TensorPrimitives.Subtract(centred, mean, centred);
        return VectorMath.Normalized(centred);
    }

    /// <summary>
    /// The blended score of a candidate, both sides' features centred (<see cref="Query"/>, <see cref="Centred"/>): a
    /// weighted mean of two cosines, so it stays in [−1, 1].
    /// </summary>
    public static float Score(float[] centredQuery, float[] centredCandidate, float[] queryEmbedding, float[] candidateEmbedding, float featureWeight)
    {
        float visual = TensorPrimitives.Dot(centredQuery, centredCandidate);
        float meaning = TensorPrimitives.CosineSimilarity(queryEmbedding, candidateEmbedding);
        return featureWeight * visual + (1 - featureWeight) * meaning;
    }

    private static float[] Raw(IReadOnlyList<float[]> photoFeatures)
    {
        var sum = new float[photoFeatures[0].Length];
        foreach (var photo in photoFeatures) TensorPrimitives.Add(sum, VectorMath.Normalized(photo), sum);
        return VectorMath.Normalized(sum);
    }
}

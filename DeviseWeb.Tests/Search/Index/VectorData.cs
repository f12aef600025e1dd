using System.Numerics.Tensors;
using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Tests.Search.Index;

/// <summary>Seeded random vectors and the brute-force answers every index result is checked against.</summary>
internal static class VectorData
{
    /// <summary>Gaussian directions, normalised: uniform on the sphere, the hardest case for an int8 shortlist.</summary>
    public static float[][] UnitVectors(int count, int dimension, int seed)
    {
        var random = new Random(seed);
        var vectors = new float[count][];
        for (int i = 0; i < count; i++)
        {
            var v = new float[dimension];
            for (int j = 0; j < dimension; j++)
                v[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
            vectors[i] = v;
        }
        return vectors;
    }

    /// <summary>Exact cosine top-k of a live set (id → vector), best first, ties by id.</summary>
    public static List<VectorHit> BruteForce(IReadOnlyDictionary<int, float[]> live, float[] query, int k, VectorSearchOptions? options = null)
    {
        options ??= VectorSearchOptions.None;
        return live
            .Where(p => options.Exclude is null || !options.Exclude.Contains(p.Key))
            .Select(p => new VectorHit(p.Key, TensorPrimitives.CosineSimilarity(query, p.Value)))
            .Where(h => h.Score >= options.MinScore)
            .OrderByDescending(h => h.Score).ThenBy(h => h.Id)
            .Take(k)
            .ToList();
    }

    public static void AssertSameHits(IReadOnlyList<VectorHit> expected, IReadOnlyList<VectorHit> actual, float tolerance = 1e-5f)
    {
        Assert.Equal(expected.Select(h => h.Id), actual.Select(h => h.Id));
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i].Score - actual[i].Score) <= tolerance,
                $"Hit {i} (id {expected[i].Id}): expected score {expected[i].Score}, got {actual[i].Score}.");
    }

    public static bool SameHits(IReadOnlyList<VectorHit> expected, IReadOnlyList<VectorHit> actual, float tolerance = 1e-5f) =>
        expected.Count == actual.Count
        && expected.Zip(actual).All(p => p.First.Id == p.Second.Id && Math.Abs(p.First.Score - p.Second.Score) <= tolerance);
}

using System.Numerics.Tensors;
using DeviseWeb.Engine;

namespace DeviseWeb.Bench;

/// <summary>
/// Seeded unit vectors shaped more like embeddings than uniform noise: each is one of a few hundred random unit centres
/// plus Gaussian noise, normalised. Uniform vectors in 384 dimensions are all nearly orthogonal, which makes every
/// neighbour list a coin toss and an approximate index look worse than it is on real embeddings.
/// </summary>
public sealed class ClusteredVectors
{
    private const int Centres = 300;

    /// <summary>Length of the noise beside a centre's length of 1: members of one cluster have a cosine near 1 / (1 + 0.7²) ≈ 0.67.</summary>
    private const float Noise = 0.7f;

    private readonly Random _random;
    private readonly float[][] _centres;

    public ClusteredVectors(int dimension, int seed)
    {
        Dimension = dimension;
        _random = new Random(seed);
        _centres = Enumerable.Range(0, Centres).Select(_ => ScaleSeeder.RandomUnitVector(_random, dimension)).ToArray();
    }

    public static string Kind => $"clustered ({Centres} centres, noise {Noise})";

    public int Dimension { get; }

    public float[] Next()
    {
        var centre = _centres[_random.Next(Centres)];
        var vector = ScaleSeeder.RandomUnitVector(_random, Dimension); // a random direction; scaled by the noise's length
        TensorPrimitives.MultiplyAdd(vector, Noise, centre, vector);
        return VectorMath.Normalized(vector);
    }

    public float[][] Next(int count)
    {
        var vectors = new float[count][];
        for (int i = 0; i < count; i++) vectors[i] = Next();
        return vectors;
    }

    /// <summary>Exact fp32 top-k by cosine (dot products of unit vectors) of each query over every row, as row positions.</summary>
    public static int[][] BruteForce(IReadOnlyList<float[]> rows, IReadOnlyList<float[]> queries, int k)
    {
        var best = new int[queries.Count][];
        Parallel.For(0, queries.Count, q =>
        {
            var top = new PriorityQueue<int, float>(k + 1); // the worst kept score on top
            for (int r = 0; r < rows.Count; r++)
            {
                float score = TensorPrimitives.Dot(queries[q], rows[r]);
                if (top.Count < k) top.Enqueue(r, score);
                else if (top.TryPeek(out _, out float worst) && score > worst) top.EnqueueDequeue(r, score);
            }
            var positions = new int[top.Count];
            for (int i = positions.Length - 1; i >= 0; i--) positions[i] = top.Dequeue();
            best[q] = positions;
        });
        return best;
    }

    /// <summary>Mean share of each exact list that the answer found.</summary>
    public static double Recall(IReadOnlyList<int[]> answers, IReadOnlyList<int[]> exact) =>
        answers.Zip(exact).Average(p => p.Second.Length == 0 ? 1.0 : p.First.Intersect(p.Second).Count() / (double)p.Second.Length);
}

using System.Diagnostics;
using System.Numerics.Tensors;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Bench;

/// <summary>Figures of one <see cref="VectorIndexBenchmark"/> run; times in milliseconds unless named otherwise.</summary>
public sealed record VectorIndexFigures(
    int Count, int Dimension, int Threads, string Int8Kernel,
    double BuildSeconds, double SingleP50Ms, double SingleP95Ms, double RecallAt10,
    int BatchQueries, double BatchMs, double BatchQueriesPerSecond,
    double AddP50Microseconds, double AddP95Microseconds,
    double WriteSeconds, double OpenMs, double FirstSearchMs,
    double BaselineFp32ScanMs, bool LibtorchLoaded);

/// <summary>
/// Measures <see cref="InProcessVectorIndex"/> on random unit vectors (the hardest case for the int8 shortlist):
/// single and batched top-10, recall against exact fp32, one add at full size, and opening the index from segment
/// files; beside it, a plain fp32 <see cref="TensorPrimitives.Dot"/> scan on every core as a same-run baseline.
/// </summary>
public static class VectorIndexBenchmark
{
    public static VectorIndexFigures Measure(int count, int dimension = 384, int queries = 200, string? folder = null)
    {
        var vectors = RandomUnitVectors(count, dimension, seed: 42);
        var ids = Enumerable.Range(0, count).ToArray();
        var questions = RandomUnitVectors(queries, dimension, seed: 7);

        var clock = Stopwatch.StartNew();
        using var index = InProcessVectorIndex.Build(dimension, ids, vectors);
        double buildSeconds = clock.Elapsed.TotalSeconds;

        // Settle the heap first: a background collection of the freshly made vectors would share the two cores.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        for (int i = 0; i < 50; i++) index.Search(questions[i % queries], 10); // past tiered compilation, thread pool warm
        var single = new List<double>();
        var answers = new IReadOnlyList<VectorHit>[queries];
        for (int q = 0; q < queries; q++)
        {
            clock.Restart();
            answers[q] = index.Search(questions[q], 10);
            single.Add(clock.Elapsed.TotalMilliseconds);
        }

        index.SearchBatch(questions.Take(8).ToArray(), 10);
        clock.Restart();
        var batch = index.SearchBatch(questions, 10);
        double batchMs = clock.Elapsed.TotalMilliseconds;

        var (recall, baselineMs) = RecallAndBaseline(vectors, questions.Take(Math.Min(queries, 50)).ToArray(), answers, batch);

        var adds = new List<double>();
        var extra = RandomUnitVectors(1000, dimension, seed: 9);
        for (int i = 0; i < extra.Length; i++)
        {
            clock.Restart();
            index.Add(count + i, extra[i]);
            adds.Add(clock.Elapsed.TotalMicroseconds);
        }

        var (writeSeconds, openMs, firstSearchMs) = MeasureOpen(vectors, dimension, questions[0], folder);
        bool libtorch = File.Exists("/proc/self/maps") && File.ReadAllText("/proc/self/maps").Contains("libtorch");
        return new VectorIndexFigures(count, dimension, Environment.ProcessorCount, Int8Kernels.Fastest.ToString(),
            buildSeconds, Percentile(single, 50), Percentile(single, 95), recall,
            queries, batchMs, queries / (batchMs / 1000), Percentile(adds, 50), Percentile(adds, 95),
            writeSeconds, openMs, firstSearchMs, baselineMs, libtorch);
    }

    /// <summary>
    /// Recall@10 of single and batch answers against exact top-10, timing each exact scan: TensorPrimitives.Dot
    /// over the rows laid out contiguously in native memory, one share per core.
    /// </summary>
    private static unsafe (double Recall, double BaselineMs) RecallAndBaseline(float[][] vectors, float[][] questions,
        IReadOnlyList<VectorHit>[] single, IReadOnlyList<IReadOnlyList<VectorHit>> batch)
    {
        int dimension = vectors[0].Length, threads = Environment.ProcessorCount;
        float* rows = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)vectors.Length * (nuint)dimension * 4, 64);
        try
        {
            for (int i = 0; i < vectors.Length; i++) vectors[i].CopyTo(new Span<float>(rows + (long)i * dimension, dimension));
            var scores = new float[vectors.Length];
            var times = new List<double>();
            int found = 0;
            for (int q = 0; q < questions.Length; q++)
            {
                var query = questions[q];
                var clock = Stopwatch.StartNew();
                Parallel.For(0, threads, t =>
                {
                    int share = (vectors.Length + threads - 1) / threads;
                    for (int i = t * share, end = Math.Min(vectors.Length, i + share); i < end; i++)
                        scores[i] = TensorPrimitives.Dot(new ReadOnlySpan<float>(rows + (long)i * dimension, dimension), query);
                });
                times.Add(clock.Elapsed.TotalMilliseconds);
                var truth = Enumerable.Range(0, vectors.Length).OrderByDescending(i => scores[i]).Take(10).ToHashSet();
                found += single[q].Count(h => truth.Contains(h.Id)) + batch[q].Count(h => truth.Contains(h.Id));
            }
            return (found / (20.0 * questions.Length), Percentile(times, 50));
        }
        finally
        {
            System.Runtime.InteropServices.NativeMemory.AlignedFree(rows);
        }
    }

    /// <summary>Writes the vectors as sealed segment files, then times opening them and the first search.</summary>
    private static (double WriteSeconds, double OpenMs, double FirstSearchMs) MeasureOpen(float[][] vectors, int dimension, float[] query, string? folder)
    {
        folder ??= Path.Combine(Path.GetTempPath(), $"vector-index-bench-{Guid.NewGuid():N}");
        var column = new SegmentsOnlyColumn(Directory.CreateDirectory(folder).FullName, dimension);
        try
        {
            var clock = Stopwatch.StartNew();
            var builder = new SegmentBuilder(dimension, quantized: true, column, loadInt8: true, releaseError: null);
            var segments = BulkBuilder.Segments(builder, dimension, Enumerable.Range(0, vectors.Length).ToArray(), vectors, VectorIndexOptions.Default.SealRows);
            column.Paths.AddRange(segments.Select(s => s.Data.Path!));
            foreach (var segment in segments) segment.Release();
            double writeSeconds = clock.Elapsed.TotalSeconds;

            clock.Restart();
            using var index = InProcessVectorIndex.Open(column);
            double openMs = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            index.Search(query, 10);
            return (writeSeconds, openMs, clock.Elapsed.TotalMilliseconds);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static float[][] RandomUnitVectors(int count, int dimension, int seed)
    {
        var vectors = new float[count][];
        Parallel.For(0, (count + 4095) / 4096, block =>
        {
            var random = new Random(seed * 100_003 + block);
            for (int i = block * 4096; i < Math.Min(count, (block + 1) * 4096); i++)
            {
                var v = new float[dimension];
                for (int j = 0; j < dimension; j++)
                    v[j] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
                TensorPrimitives.Divide(v, TensorPrimitives.Norm(v), v);
                vectors[i] = v;
            }
        });
        return vectors;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        double rank = p / 100 * (sorted.Count - 1);
        int low = (int)Math.Floor(rank), high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    /// <summary>A column of sealed segments only, enough to time opening them.</summary>
    private sealed class SegmentsOnlyColumn(string folder, int dimension) : IVectorColumn
    {
        public List<string> Paths { get; } = [];
        public string Name => "bench";
        public int Dimension => dimension;
        public bool Quantized => true;
        public string SegmentDirectory => folder;
        public ColumnContents Load() => new(Paths, [], new HashSet<int>());
        public void Exclusively(Action body) => body();
        public void Append(int id, ReadOnlySpan<float> vector, Action onCommitted) => throw new NotSupportedException();
        public void Remove(int id, Action onCommitted) => throw new NotSupportedException();
        public void CommitSegment(string? path, IReadOnlyList<string> replacesSegments, IReadOnlyList<int> sealedTailIds) => throw new NotSupportedException();
    }
}

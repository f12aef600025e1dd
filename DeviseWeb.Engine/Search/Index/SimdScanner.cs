using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Exact top-k on the CPU with SIMD kernels: int8 segments are scanned to a shortlist that is re-ranked in
/// fp32, so returned scores are exact cosines; fp32 segments and the tail are scored exactly from the start.
/// Rows are split into shares handed out to every core; each thread keeps its own collectors, merged at the end.
/// </summary>
[SkipLocalsInit] // score buffers are written before they are read
internal sealed unsafe class SimdScanner(int dimension, VectorIndexOptions options) : ISnapshotScanner
{
    /// <summary>Rows a batch scores against every query before moving on: 512 int8 rows of 384 stay in L2.</summary>
    private const int BatchBlockRows = 512;

    private const int SharesPerThread = 4;

    private static int _scansInFlight;

    private readonly Int8KernelKind _kernel = options.Int8Kernel ?? Int8Kernels.Fastest;
    private readonly int _maxThreads = options.MaxDegreeOfParallelism ?? Environment.ProcessorCount;
    private readonly int _stride = (int)SegmentLayout.Align(dimension);

    public IReadOnlyList<VectorHit> Search(IndexSnapshot snapshot, float[] query, int k, VectorSearchOptions searchOptions)
        => SearchBatch(snapshot, [query], k, searchOptions)[0];

    public IReadOnlyList<VectorHit>[] SearchBatch(IndexSnapshot snapshot, float[][] queries, int k, VectorSearchOptions searchOptions)
    {
        bool approximate = snapshot.Segments.Any(s => s.Data.HasInt8);
        int capacity = approximate ? Math.Max(k * options.ShortlistFactor, options.MinimumShortlist) : k;
        var quantized = approximate ? queries.Select(q => new Int8Query(q, _stride)).ToArray() : null;
        // Eight queries per pass over a row block once a batch is big enough to fill most of a group.
        var groups = quantized is not null && queries.Length >= 6 && Int8QueryGroup.IsSupported && _kernel == Int8KernelKind.AvxVnni
            ? Enumerable.Range(0, (queries.Length + 7) / 8).Select(g => new Int8QueryGroup(quantized, g * 8, _stride)).ToArray()
            : null;
        var collectors = new ConcurrentBag<TopCollector[]>();
        TopCollector[] NewCollectors() => Enumerable.Range(0, queries.Length).Select(_ => new TopCollector(capacity)).ToArray();
        // Scans running at once share the cores: alone, a scan takes them all; with others in flight, one each, since a
        // parallel scan's caller spins while it waits for its helpers, which costs the CPU the others need.
        int threads = Math.Max(1, _maxThreads / Math.Max(1, Interlocked.Increment(ref _scansInFlight)));
        try
        {
            // More shares than threads, handed out as threads free up: a core taken away by another process
            // delays one small share, not half the scan. Each thread keeps its collectors across its shares.
            var shares = ScanPlan.Split(snapshot, threads == 1 ? 1 : threads * SharesPerThread, workPerRow: queries.Length);
            if (shares.Length == 1 || threads == 1)
            {
                var local = NewCollectors();
                foreach (var share in shares) ScanShare(snapshot, share, queries, quantized, groups, local, searchOptions.Exclude);
                collectors.Add(local);
            }
            else
                Parallel.For(0, shares.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, NewCollectors,
                    (share, _, local) => ScanShare(snapshot, shares[share], queries, quantized, groups, local, searchOptions.Exclude),
                    collectors.Add);
        }
        finally
        {
            Interlocked.Decrement(ref _scansInFlight);
        }

        var results = new IReadOnlyList<VectorHit>[queries.Length];
        void Rerank(int q) => results[q] = Reranker.Rerank(snapshot, queries[q],
            TopCollector.Merge(collectors.Select(c => c[q]), capacity), k, searchOptions.MinScore);
        if (queries.Length < 8) for (int q = 0; q < queries.Length; q++) Rerank(q);
        else Parallel.For(0, queries.Length, new ParallelOptions { MaxDegreeOfParallelism = _maxThreads }, Rerank);
        return results;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private TopCollector[] ScanShare(IndexSnapshot snapshot, ScanRange[] share, float[][] queries, Int8Query?[]? quantized,
        Int8QueryGroup[]? groups, TopCollector[] collectors, IReadOnlySet<int>? exclude)
    {
        int blockRows = queries.Length == 1 ? ScanPlan.Granule : BatchBlockRows;
        float* scores = stackalloc float[BatchBlockRows * Int8QueryGroup.Width];
        foreach (var range in share)
        {
            bool tail = range.Part >= snapshot.Segments.Length;
            bool grouped = groups is not null && !tail && snapshot.Segments[range.Part].Data.HasInt8;
            for (int start = range.Start; start < range.End;)
            {
                int count = Math.Min(blockRows, range.End - start);
                // A tail block is one array: a kernel call must not run past it.
                if (tail) count = Math.Min(count, TailChunk.BlockRows - start % TailChunk.BlockRows);
                if (grouped)
                {
                    var data = snapshot.Segments[range.Part].Data;
                    for (int index = 0; index < groups!.Length; index++)
                    {
                        groups[index].Score(data.Int8 + (long)start * _stride, count, data.Scales + start, data.Sums + start, scores);
                        CollectGroup(collectors.AsSpan(index * Int8QueryGroup.Width, groups[index].Count), snapshot, range.Part, start, count, scores, exclude);
                    }
                }
                else
                    for (int q = 0; q < queries.Length; q++)
                    {
                        ScoreRows(snapshot, range.Part, start, count, queries[q], quantized?[q], scores);
                        Collect(collectors[q], snapshot, range.Part, start, count, scores, exclude);
                    }
                start += count;
            }
        }
        return collectors;
    }

    /// <summary>
    /// Offers rows scored against a query group (eight scores a row) to the group's collectors: one vector
    /// compare a row against all eight thresholds, so rows that beat none cost no branch per query.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CollectGroup(Span<TopCollector> collectors, IndexSnapshot snapshot, int part, int start, int count, float* scores,
        IReadOnlySet<int>? exclude)
    {
        float* thresholds = stackalloc float[Int8QueryGroup.Width];
        for (int g = 0; g < Int8QueryGroup.Width; g++) thresholds[g] = g < collectors.Length ? collectors[g].Threshold : float.PositiveInfinity;
        var limits = Vector256.Load(thresholds);
        for (int i = 0; i < count; i++)
        {
            float* rowScores = scores + (long)i * Int8QueryGroup.Width;
            uint beaten = Vector256.GreaterThanOrEqual(Vector256.Load(rowScores), limits).ExtractMostSignificantBits();
            if (beaten == 0) continue;
            int row = start + i;
            if (!snapshot.IsLive(part, row)) continue;
            if (exclude is not null && exclude.Contains(snapshot.IdAt(part, row))) continue;
            for (; beaten != 0; beaten &= beaten - 1)
            {
                int g = BitOperations.TrailingZeroCount(beaten);
                collectors[g].Add(rowScores[g], part, row);
                thresholds[g] = collectors[g].Threshold;
            }
            limits = Vector256.Load(thresholds);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScoreRows(IndexSnapshot snapshot, int part, int start, int count, float[] query, Int8Query? quantized, float* scores)
    {
        if (part < snapshot.Segments.Length)
        {
            var data = snapshot.Segments[part].Data;
            if (data.HasInt8)
                Int8Kernels.Score(_kernel, quantized!, data.Int8 + (long)start * _stride, _stride, count, data.Scales + start, data.Sums + start, scores);
            else
                Float32Kernels.Score(data.Vectors + (long)start * dimension, dimension, count, query, scores);
            return;
        }
        var chunk = snapshot.Tail[part - snapshot.Segments.Length];
        fixed (float* block = chunk.BlockVectors(start))
            Float32Kernels.Score(block + (long)(start % TailChunk.BlockRows) * dimension, dimension, count, query, scores);
    }

    /// <summary>
    /// Offers rows whose score beats the collector's threshold, testing eight scores with one compare: most
    /// blocks of eight beat nothing once the collector is full.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Collect(TopCollector collector, IndexSnapshot snapshot, int part, int start, int count, float* scores,
        IReadOnlySet<int>? exclude)
    {
        float threshold = collector.Threshold;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8)
            {
                uint beaten = Vector256.GreaterThanOrEqual(Vector256.Load(scores + i), Vector256.Create(threshold)).ExtractMostSignificantBits();
                for (; beaten != 0; beaten &= beaten - 1)
                    threshold = Offer(collector, snapshot, part, start, i + BitOperations.TrailingZeroCount(beaten), scores, exclude, threshold);
            }
        for (; i < count; i++) threshold = Offer(collector, snapshot, part, start, i, scores, exclude, threshold);
    }

    /// <summary>Offers one row if it still reaches the threshold (which may have risen) and is live and not excluded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Offer(TopCollector collector, IndexSnapshot snapshot, int part, int start, int i, float* scores,
        IReadOnlySet<int>? exclude, float threshold)
    {
        float score = scores[i];
        if (!(score >= threshold)) return threshold;
        int row = start + i;
        // Removal and exclusion are checked only for the few rows that beat the threshold.
        if (!snapshot.IsLive(part, row)) return threshold;
        if (exclude is not null && exclude.Contains(snapshot.IdAt(part, row))) return threshold;
        collector.Add(score, part, row);
        return collector.Threshold;
    }
}

/// <summary>Scans a snapshot for the nearest rows; one implementation per <see cref="ScanBackend"/>.</summary>
internal interface ISnapshotScanner : IDisposable
{
    IReadOnlyList<VectorHit> Search(IndexSnapshot snapshot, float[] query, int k, VectorSearchOptions options);

    IReadOnlyList<VectorHit>[] SearchBatch(IndexSnapshot snapshot, float[][] queries, int k, VectorSearchOptions options);

    void IDisposable.Dispose() { }
}

/// <summary>Turns candidates into hits: exact fp32 cosine for each, best first (ties by id), k of them above the floor.</summary>
internal static class Reranker
{
    public static IReadOnlyList<VectorHit> Rerank(IndexSnapshot snapshot, float[] query, Candidate[] candidates, int k, float minScore)
    {
        var hits = new VectorHit[candidates.Length];
        for (int i = 0; i < candidates.Length; i++)
        {
            var c = candidates[i];
            hits[i] = new VectorHit(snapshot.IdAt(c.Part, c.Row), System.Numerics.Tensors.TensorPrimitives.Dot(snapshot.Vector(c.Part, c.Row), query));
        }
        return Best(hits, k, minScore);
    }

    public static IReadOnlyList<VectorHit> Best(VectorHit[] hits, int k, float minScore)
    {
        Array.Sort(hits, static (a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id));
        var best = new List<VectorHit>(Math.Min(k, hits.Length));
        foreach (var hit in hits)
        {
            if (best.Count == k || hit.Score < minScore) break;
            best.Add(hit);
        }
        return best;
    }
}

using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// The k nearest reference rows (cosine) of many query rows: the engine's own in-memory index over the reference,
/// scanned as int8 on every core with SIMD to a shortlist that is re-ranked exactly in fp32, so the scores are exact
/// cosines and ties go to the lower row, as a brute force sorted by score then row gives them. Queries go in blocks
/// sized to a fixed amount of work, so a pass over a million of them reports, and stops when cancelled, every fraction
/// of a second; a single query (an import, a reference photo) is one scan of the reference.
/// </summary>
internal sealed class NeighbourSearch : IDisposable
{
    /// <summary>Multiply-adds a block of queries costs: about a tenth of a second on 2 cores.</summary>
    private const long BlockWork = 8_000_000_000;

    private const int MaxBlock = 4096;

    private readonly InProcessVectorIndex _index;

    /// <param name="reference">The rows to search, any length (normalised here); a row's number is its place in the list.</param>
    public NeighbourSearch(IReadOnlyList<float[]> reference, int dimension)
    {
        Count = reference.Count;
        Dimension = dimension;
        _index = InProcessVectorIndex.Build(dimension, Enumerable.Range(0, reference.Count).ToArray(), reference, quantized: true);
    }

    public int Count { get; }

    public int Dimension { get; }

    /// <summary>Queries per block: a fixed amount of work, at least 8 (one SIMD query group) and at most <see cref="MaxBlock"/>.</summary>
    public int BlockSize => (int)Math.Clamp(BlockWork / Math.Max(1L, (long)Count * Dimension), 8, MaxBlock);

    /// <summary>Each query's <paramref name="k"/> nearest reference rows, best first (<see cref="VectorHit.Id"/> is the row).</summary>
    public VectorHit[][] Nearest(IReadOnlyList<float[]> queries, int k, CancellationToken cancellationToken = default)
    {
        var result = new VectorHit[queries.Count][];
        ForEachBlock(queries, k, (start, hits) =>
        {
            for (int i = 0; i < hits.Count; i++) result[start + i] = [.. hits[i]];
        }, cancellationToken);
        return result;
    }

    /// <summary>
    /// Answers the queries a block at a time, handing each block's answers (the block's first query, then each query's
    /// nearest rows, best first) to <paramref name="block"/>, which may throw to stop; checks for a cancel before each.
    /// </summary>
    public void ForEachBlock(IReadOnlyList<float[]> queries, int k, Action<int, IReadOnlyList<IReadOnlyList<VectorHit>>> block,
        CancellationToken cancellationToken = default)
    {
        int size = BlockSize;
        for (int start = 0; start < queries.Count; start += size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            block(start, _index.SearchBatch(VectorMath.Slice(queries, start, Math.Min(size, queries.Count - start)), k));
        }
    }

    public void Dispose() => _index.Dispose();
}

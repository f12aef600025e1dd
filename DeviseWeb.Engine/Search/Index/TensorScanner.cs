using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using TorchSharp;
using static TorchSharp.torch;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Exact top-k with one fp32 tensor per segment on the chosen device (CUDA, or the CPU in tests): a matrix
/// product and a topk per segment, removed and excluded rows masked to −∞. The tail, small and changing with
/// every add, is scored on the CPU. The only type of the index that touches libtorch.
/// </summary>
internal sealed class TensorScanner(int dimension, VectorIndexOptions options) : ISnapshotScanner
{
    private readonly Device _device = options.Device ?? CPU;

    public IReadOnlyList<VectorHit> Search(IndexSnapshot snapshot, float[] query, int k, VectorSearchOptions searchOptions)
        => SearchBatch(snapshot, [query], k, searchOptions)[0];

    public IReadOnlyList<VectorHit>[] SearchBatch(IndexSnapshot snapshot, float[][] queries, int k, VectorSearchOptions searchOptions)
    {
        var found = new List<VectorHit>[queries.Length];
        for (int q = 0; q < queries.Length; q++) found[q] = [];
        using (var scope = NewDisposeScope())
        {
            var flat = new float[queries.Length * dimension];
            for (int q = 0; q < queries.Length; q++) queries[q].CopyTo(flat, q * dimension);
            using var transposed = tensor(flat, [queries.Length, dimension]).to(_device).t();
            foreach (var segment in snapshot.Segments)
                ScanSegment(segment, snapshot.Sequence, transposed, k, searchOptions.Exclude, found);
        }
        ScanTail(snapshot, queries, k, searchOptions.Exclude, found);
        return found.Select(hits => Reranker.Best([.. hits], k, searchOptions.MinScore)).ToArray();
    }

    private void ScanSegment(SealedSegment segment, int sequence, Tensor transposedQueries, int k, IReadOnlySet<int>? exclude, List<VectorHit>[] found)
    {
        var data = segment.Data;
        var rows = segment.GetOrAddScanCache(d => new SegmentTensor(d, _device)).Rows;
        var scores = rows.mm(transposedQueries); // rows × queries
        var masked = MaskedRows(segment, sequence, exclude);
        if (masked.Count > 0)
        {
            using var excluded = float.NegativeInfinity.ToScalar();
            scores.index_fill_(0, tensor(masked.ToArray(), device: _device), excluded);
        }
        var (values, indexes) = scores.topk(Math.Min(k, data.Count), dim: 0);
        float[] bestScores = values.cpu().data<float>().ToArray();
        long[] bestRows = indexes.cpu().data<long>().ToArray();
        int queries = found.Length;
        for (int i = 0; i < bestScores.Length; i++)
            if (!float.IsNegativeInfinity(bestScores[i])) found[i % queries].Add(new VectorHit(data.IdSpan[(int)bestRows[i]], bestScores[i]));
    }

    private static List<long> MaskedRows(SealedSegment segment, int sequence, IReadOnlySet<int>? exclude)
    {
        var masked = new List<long>();
        // Removals only grow until compaction replaces the segment: none now means none at the snapshot.
        if (segment.DeadRows > 0)
            for (int row = 0; row < segment.Data.Count; row++)
                if (!segment.IsLive(row, sequence)) masked.Add(row);
        if (exclude is not null)
            foreach (int id in exclude)
                if (segment.Data.RowOf(id) is var row and >= 0) masked.Add(row);
        return masked;
    }

    private void ScanTail(IndexSnapshot snapshot, float[][] queries, int k, IReadOnlySet<int>? exclude, List<VectorHit>[] found)
    {
        for (int chunk = 0; chunk < snapshot.Tail.Length; chunk++)
        {
            var rows = snapshot.Tail[chunk];
            for (int row = 0; row < snapshot.TailRows(chunk); row++)
            {
                if (!rows.IsLive(row, snapshot.Sequence) || (exclude?.Contains(rows.Id(row)) ?? false)) continue;
                for (int q = 0; q < queries.Length; q++)
                    found[q].Add(new VectorHit(rows.Id(row), TensorPrimitives.Dot(rows.Row(row), queries[q])));
            }
        }
    }

    /// <summary>A segment's fp32 rows as one tensor on the device, freed with the segment.</summary>
    private sealed class SegmentTensor : IDisposable
    {
        public unsafe SegmentTensor(SegmentData data, Device device)
        {
            var copy = new float[(long)data.Count * data.Dimension];
            new ReadOnlySpan<float>(data.Vectors, copy.Length).CopyTo(copy);
            var host = tensor(copy, [data.Count, data.Dimension]);
            var rows = host.to(device);
            if (!ReferenceEquals(rows, host)) host.Dispose(); // on the CPU it may be the same tensor
            Rows = rows.DetachFromDisposeScope();
        }

        public Tensor Rows { get; }

        public void Dispose() => Rows.Dispose();
    }
}

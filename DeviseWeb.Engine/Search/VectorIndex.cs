using TorchSharp;
using static TorchSharp.torch;

namespace DeviseWeb.Engine.Search;

/// <summary>
/// An immutable snapshot of unit vectors in one tensor on the chosen device: exact cosine top-k is one
/// matrix-vector product and a topk. Changes build a new snapshot, so a reader never sees a half-built one.
/// Replaced snapshots are left to the finaliser rather than disposed, because a search may still be using them.
/// On the CPU a large index is scanned as one row block per core in parallel: libtorch runs a single
/// matrix-vector product on one thread, and the scan is bound by memory bandwidth one thread cannot fill
/// (1M × 384 here: 221 ms as one product, 136 ms as two blocks).
/// </summary>
public sealed class VectorIndex
{
    private const int RowsPerBlockAtLeast = 20_000;
    private readonly Tensor _matrix;
    private readonly int[] _ids;
    private readonly Dictionary<int, int> _rowOf;
    private readonly (Tensor Rows, int Offset)[] _blocks;

    private VectorIndex(Tensor matrix, int[] ids)
    {
        // The snapshot owns its tensors whatever dispose scope the caller has open.
        _matrix = matrix.DetachFromDisposeScope();
        _ids = ids;
        _rowOf = new Dictionary<int, int>(ids.Length);
        for (int i = 0; i < ids.Length; i++) _rowOf[ids[i]] = i;
        int blockCount = matrix.device_type == DeviceType.CPU ? Math.Clamp(ids.Length / RowsPerBlockAtLeast, 1, Environment.ProcessorCount) : 1;
        int blockSize = (ids.Length + blockCount - 1) / Math.Max(1, blockCount);
        _blocks = blockCount <= 1 ? [(matrix, 0)] : Enumerable.Range(0, blockCount)
            .Select(b => (matrix.narrow(0, b * blockSize, Math.Min(blockSize, ids.Length - b * blockSize)).DetachFromDisposeScope(), b * blockSize)).ToArray();
    }

    public static VectorIndex Empty(int dimension, Device device) => new(zeros(0, dimension, device: device), []);

    public static VectorIndex Build(IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors, int dimension, Device device)
    {
        if (ids.Count != vectors.Count) throw new ArgumentException("One vector per id.");
        if (ids.Count == 0) return Empty(dimension, device);
        using var raw = TensorRows.ToTensor(vectors, dimension);
        return new VectorIndex(nn.functional.normalize(raw, p: 2, dim: 1).to(device), ids.ToArray());
    }

    public int Count => _ids.Length;
    public int Dimension => (int)_matrix.shape[1];
    public IReadOnlyList<int> Ids => _ids;
    public bool Contains(int id) => _rowOf.ContainsKey(id);

    public float[]? VectorOf(int id)
    {
        if (!_rowOf.TryGetValue(id, out int row)) return null;
        using var scope = NewDisposeScope();
        return _matrix[row].cpu().data<float>().ToArray();
    }

    /// <summary>Every stored unit vector, in the order of <see cref="Ids"/>, copied out in one go.</summary>
    public float[][] Vectors() => TensorRows.ToRows(_matrix);

    /// <summary>A new snapshot with one vector added (or replaced).</summary>
    public VectorIndex With(int id, float[] vector)
    {
        using var scope = NewDisposeScope();
        var row = nn.functional.normalize(tensor(vector, [1, vector.Length]), p: 2, dim: 1).to(_matrix.device);
        if (_rowOf.TryGetValue(id, out int existing))
        {
            var copy = _matrix.clone();
            copy[existing] = row[0];
            return new VectorIndex(copy.MoveToOuterDisposeScope(), _ids);
        }
        return new VectorIndex(cat([_matrix, row], 0).MoveToOuterDisposeScope(), [.. _ids, id]);
    }

    /// <summary>Best rows of every block, merged: (scores, row numbers) best first.</summary>
    private (float[] Scores, long[] Rows) TopRows(Tensor query, int take)
    {
        var perBlock = new (float[] Scores, long[] Rows)[_blocks.Length];
        void Scan(int b)
        {
            using var scope = NewDisposeScope(); // dispose scopes are per thread
            var (rows, offset) = _blocks[b];
            var (values, indexes) = rows.mv(query).topk(Math.Min(take, (int)rows.shape[0]));
            perBlock[b] = (values.cpu().data<float>().ToArray(), indexes.cpu().data<long>().Select(i => i + offset).ToArray());
        }
        if (_blocks.Length == 1) Scan(0);
        else Parallel.For(0, _blocks.Length, Scan);
        if (perBlock.Length == 1) return perBlock[0];
        var merged = perBlock.SelectMany(p => p.Scores.Zip(p.Rows)).OrderByDescending(p => p.First).Take(take).ToArray();
        return (merged.Select(p => p.First).ToArray(), merged.Select(p => p.Second).ToArray());
    }

    /// <summary>The k ids nearest the query by cosine, best first, with scores at or above minScore.</summary>
    public IReadOnlyList<(int Id, float Score)> Search(float[] query, int k, float minScore = -1f, IReadOnlySet<int>? exclude = null)
    {
        if (query.Length != Dimension) throw new ArgumentException($"Query has {query.Length} values, the index {Dimension}.");
        if (Count == 0 || k <= 0) return [];
        using var scope = NewDisposeScope();
        var q = nn.functional.normalize(tensor(query).to(_matrix.device), p: 2, dim: 0);
        int take = Math.Min(Count, k + (exclude?.Count ?? 0));
        var (scores, rows) = TopRows(q, take);
        var hits = new List<(int, float)>(k);
        for (int i = 0; i < rows.Length && hits.Count < k; i++)
        {
            if (scores[i] < minScore) break;
            int id = _ids[rows[i]];
            if (exclude is null || !exclude.Contains(id)) hits.Add((id, scores[i]));
        }
        return hits;
    }
}

using static TorchSharp.torch;

namespace DeviseWeb.Engine.Search;

/// <summary>
/// An immutable snapshot of unit vectors in one tensor on the chosen device: exact cosine top-k is one
/// matrix-vector product and a topk. Changes build a new snapshot, so a reader never sees a half-built one.
/// Replaced snapshots are left to the finaliser rather than disposed, because a search may still be using them.
/// </summary>
public sealed class VectorIndex
{
    private readonly Tensor _matrix;
    private readonly int[] _ids;
    private readonly Dictionary<int, int> _rowOf;

    private VectorIndex(Tensor matrix, int[] ids)
    {
        _matrix = matrix;
        _ids = ids;
        _rowOf = new Dictionary<int, int>(ids.Length);
        for (int i = 0; i < ids.Length; i++) _rowOf[ids[i]] = i;
    }

    public static VectorIndex Empty(int dimension, Device device) => new(zeros(0, dimension, device: device), []);

    public static VectorIndex Build(IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors, int dimension, Device device)
    {
        if (ids.Count != vectors.Count) throw new ArgumentException("One vector per id.");
        if (ids.Count == 0) return Empty(dimension, device);
        var flat = new float[ids.Count * dimension];
        for (int i = 0; i < vectors.Count; i++)
        {
            if (vectors[i].Length != dimension) throw new ArgumentException($"Vector {ids[i]} has {vectors[i].Length} values, expected {dimension}.");
            vectors[i].CopyTo(flat, i * dimension);
        }
        using var raw = tensor(flat, [ids.Count, dimension]);
        return new VectorIndex(nn.functional.normalize(raw, p: 2, dim: 1).to(device), ids.ToArray());
    }

    public int Count => _ids.Length;
    public int Dimension => (int)_matrix.shape[1];
    public IReadOnlyList<int> Ids => _ids;
    public bool Contains(int id) => _rowOf.ContainsKey(id);

    public float[]? VectorOf(int id) => _rowOf.TryGetValue(id, out int row) ? _matrix[row].cpu().data<float>().ToArray() : null;

    /// <summary>Every stored unit vector, in the order of <see cref="Ids"/>, copied out in one go.</summary>
    public float[][] Vectors()
    {
        var data = _matrix.cpu().data<float>().ToArray();
        int dimension = Dimension;
        return Enumerable.Range(0, Count).Select(i => data.AsSpan(i * dimension, dimension).ToArray()).ToArray();
    }

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

    /// <summary>The k ids nearest the query by cosine, best first, with scores at or above minScore.</summary>
    public IReadOnlyList<(int Id, float Score)> Search(float[] query, int k, float minScore = -1f, IReadOnlySet<int>? exclude = null)
    {
        if (query.Length != Dimension) throw new ArgumentException($"Query has {query.Length} values, the index {Dimension}.");
        if (Count == 0 || k <= 0) return [];
        using var scope = NewDisposeScope();
        var q = nn.functional.normalize(tensor(query).to(_matrix.device), p: 2, dim: 0);
        int take = Math.Min(Count, k + (exclude?.Count ?? 0));
        var (values, indexes) = _matrix.mv(q).topk(take);
        var scores = values.cpu().data<float>().ToArray();
        var rows = indexes.cpu().data<long>().ToArray();
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

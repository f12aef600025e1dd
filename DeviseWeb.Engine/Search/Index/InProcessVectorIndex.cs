// TEMPORARY brute-force stand-in so the engine compiles while the real index is built on branch `index`.
using System.Numerics.Tensors;

namespace DeviseWeb.Engine.Search.Index;

public sealed record VectorIndexOptions
{
    public int SealRows { get; init; } = 16_384;
}

public sealed class InProcessVectorIndex : IVectorIndex
{
    private readonly object _lock = new();
    private readonly IVectorColumn? _column;
    private Dictionary<int, float[]> _rows = [];

    public InProcessVectorIndex(int dimension, VectorIndexOptions options) => Dimension = dimension;

    private InProcessVectorIndex(IVectorColumn column) : this(column.Dimension, new VectorIndexOptions()) => _column = column;

    public static InProcessVectorIndex Open(IVectorColumn column, VectorIndexOptions options)
    {
        var index = new InProcessVectorIndex(column);
        var contents = column.Load();
        foreach (var (id, vector) in contents.Tail) if (!contents.Removed.Contains(id)) index._rows[id] = VectorMath.Normalized(vector);
        return index;
    }

    public int Dimension { get; }
    public int Count { get { lock (_lock) return _rows.Count; } }
    public bool Contains(int id) { lock (_lock) return _rows.ContainsKey(id); }
    public float[]? Get(int id) { lock (_lock) return _rows.TryGetValue(id, out var v) ? v.ToArray() : null; }
    public IReadOnlyList<int> Ids() { lock (_lock) return _rows.Keys.Order().ToList(); }
    public float[][] GetMany(IReadOnlyList<int> ids) { lock (_lock) return ids.Select(id => _rows[id].ToArray()).ToArray(); }

    public void Add(int id, ReadOnlySpan<float> vector)
    {
        var v = VectorMath.Normalized(vector);
        void Publish() { lock (_lock) { var next = new Dictionary<int, float[]>(_rows) { [id] = v }; _rows = next; } }
        if (_column is null) Publish(); else _column.Append(id, v, Publish);
    }

    public void AddRange(IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors)
    {
        for (int i = 0; i < ids.Count; i++) Add(ids[i], vectors[i]);
    }

    public bool Remove(int id)
    {
        if (!Contains(id)) return false;
        void Publish() { lock (_lock) { var next = new Dictionary<int, float[]>(_rows); next.Remove(id); _rows = next; } }
        if (_column is null) Publish(); else _column.Remove(id, Publish);
        return true;
    }

    public Task CompactAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, VectorSearchOptions? options = null)
    {
        options ??= VectorSearchOptions.None;
        var q = VectorMath.Normalized(query);
        Dictionary<int, float[]> rows;
        lock (_lock) rows = _rows;
        return rows.Where(r => options.Exclude?.Contains(r.Key) != true)
            .Select(r => new VectorHit(r.Key, TensorPrimitives.Dot(r.Value, q)))
            .Where(h => h.Score >= options.MinScore).OrderByDescending(h => h.Score).ThenBy(h => h.Id).Take(k).ToList();
    }

    public IReadOnlyList<IReadOnlyList<VectorHit>> SearchBatch(IReadOnlyList<float[]> queries, int k, VectorSearchOptions? options = null) =>
        queries.Select(q => Search(q, k, options)).ToList();

    public void Dispose() { }
}

namespace DeviseWeb.Engine.Search.Index;

/// <summary>One search result: a stored id and its cosine similarity to the query.</summary>
public readonly record struct VectorHit(int Id, float Score);

/// <summary>Optional limits on a search: a score floor and ids to leave out.</summary>
public sealed record VectorSearchOptions
{
    public static readonly VectorSearchOptions None = new();

    /// <summary>Drop hits scoring below this cosine. Default −1: keep all.</summary>
    public float MinScore { get; init; } = -1f;

    /// <summary>Ids never returned (a query image's own id, say). Default none.</summary>
    public IReadOnlySet<int>? Exclude { get; init; }
}

/// <summary>
/// The seam between the engine and whatever finds nearest vectors: unit vectors by integer id, exact cosine
/// top-k, single or batched. <see cref="Add"/> and <see cref="Remove"/> change what later searches see and make
/// the change durable in the index's own storage; a search running meanwhile sees the index as it was when
/// the search began, never half of a change. Thread-safe: many readers, writers serialised by the implementation.
/// The in-process implementation keeps its vectors in the data directory (<see cref="IVectorColumn"/>); a
/// remote engine keeps them in its own storage (<see cref="Pgvector.PgvectorIndex"/>: a PostgreSQL table).
/// </summary>
public interface IVectorIndex : IDisposable
{
    int Dimension { get; }

    /// <summary>Live vectors: added and not removed.</summary>
    int Count { get; }

    bool Contains(int id);

    /// <summary>The stored unit vector of an id, or null.</summary>
    float[]? Get(int id);

    /// <summary>The stored unit vectors of the ids, in their order; null where an id is not there.</summary>
    float[]?[] GetMany(IReadOnlyList<int> ids);

    /// <summary>Whether each id is there, in their order: one read, no vector copied.</summary>
    bool[] ContainsMany(IReadOnlyList<int> ids);

    /// <summary>Every live id, ascending.</summary>
    IReadOnlyList<int> Ids();

    /// <summary>Bytes of vectors this process holds in memory for the index (0 when another service holds them).</summary>
    long VectorBytes { get; }

    /// <summary>Adds a vector under a new id, or replaces the vector of an existing one. The vector is normalised.</summary>
    void Add(int id, ReadOnlySpan<float> vector);

    /// <summary>Removes an id; false when it was not there.</summary>
    bool Remove(int id);

    /// <summary>The k ids nearest the query by cosine, best first.</summary>
    IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, VectorSearchOptions? options = null);

    /// <summary>Many queries in one pass over the vectors: one result list per query, in query order.</summary>
    IReadOnlyList<IReadOnlyList<VectorHit>> SearchBatch(IReadOnlyList<float[]> queries, int k, VectorSearchOptions? options = null);

    /// <summary>Gives back the space removals left (in process: rewrites segments that hold removed rows).</summary>
    Task CompactAsync(CancellationToken cancellationToken = default);
}

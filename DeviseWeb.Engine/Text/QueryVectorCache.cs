namespace DeviseWeb.Engine.Text;

/// <summary>
/// Remembers the vectors of recent short requests (a search's words, a page of results, a share link opened again), so
/// a repeated phrase skips the transformer. Bulk requests (a vocabulary, a dataset's labels) pass straight through:
/// they are encoded once and kept elsewhere, and would only push the queries out. Callers get their own copies.
/// </summary>
public sealed class QueryVectorCache(ITextEncoder inner, int capacity = 10_000) : ITextEncoder, IDisposable
{
    /// <summary>Requests with more phrases than this are bulk work, not queries.</summary>
    public const int MaxCachedRequest = 64;

    private readonly BoundedCache<string, float[]> _cache = new(capacity, StringComparer.Ordinal);

    public int Dimension => inner.Dimension;
    public string Name => inner.Name;

    public float[][] Encode(IReadOnlyList<string> phrases, CancellationToken cancellationToken = default)
    {
        if (phrases.Count > MaxCachedRequest) return inner.Encode(phrases, cancellationToken);
        return _cache.GetOrMakeMany(phrases, missing => inner.Encode(missing, cancellationToken))
            .Select(vector => (float[])vector.Clone()).ToArray();
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}

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
        var result = new float[phrases.Count][];
        var missing = new List<string>();
        for (int i = 0; i < phrases.Count; i++)
            if (_cache.TryGet(phrases[i], out var vector)) result[i] = (float[])vector.Clone();
            else missing.Add(phrases[i]);
        if (missing.Count == 0) return result;
        var distinct = missing.Distinct(StringComparer.Ordinal).ToArray();
        var encoded = inner.Encode(distinct, cancellationToken);
        var byPhrase = new Dictionary<string, float[]>(StringComparer.Ordinal);
        for (int i = 0; i < distinct.Length; i++)
        {
            _cache.Set(distinct[i], encoded[i]);
            byPhrase[distinct[i]] = encoded[i];
        }
        for (int i = 0; i < phrases.Count; i++) result[i] ??= (float[])byPhrase[phrases[i]].Clone();
        return result;
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}

using DeviseWeb.Engine.Text;

namespace DeviseWeb.Tests.Text;

public sealed class QueryVectorCacheTests
{
    /// <summary>Counts what reaches the real encoder.</summary>
    private sealed class CountingEncoder : ITextEncoder
    {
        private readonly MiniLmTextEncoder _real = new();
        public List<string> Encoded { get; } = [];
        public int Dimension => _real.Dimension;
        public string Name => _real.Name;

        public float[][] Encode(IReadOnlyList<string> phrases, CancellationToken cancellationToken = default)
        {
            lock (Encoded) Encoded.AddRange(phrases);
            return _real.Encode(phrases, cancellationToken);
        }
    }

    [Fact]
    public void Encode_RepeatedPhrase_SameVectorWithoutEncodingItAgain()
    {
        var inner = new CountingEncoder();
        var cache = new QueryVectorCache(inner);

        var first = cache.Encode(["a boat at sea"])[0];
        var again = cache.Encode(["fruit", "a boat at sea"]);

        Assert.Equal(["a boat at sea", "fruit"], inner.Encoded);
        Assert.Equal(first, again[1]);
        Assert.Equal(inner.Encode(["fruit"])[0], again[0]);
    }

    [Fact]
    public void Encode_CallerChangesItsCopy_CachedVectorStaysAsEncoded()
    {
        var cache = new QueryVectorCache(new CountingEncoder());
        var first = cache.Encode(["fruit"])[0];
        var expected = (float[])first.Clone();

        Array.Clear(first);

        Assert.Equal(expected, cache.Encode(["fruit"])[0]);
    }

    [Fact]
    public void Encode_BulkRequest_PassesThroughWithoutFillingTheCache()
    {
        var inner = new CountingEncoder();
        var cache = new QueryVectorCache(inner);
        var bulk = Enumerable.Range(0, QueryVectorCache.MaxCachedRequest + 1).Select(i => $"word {i}").ToArray();

        cache.Encode(bulk);
        cache.Encode(["word 0"]);

        Assert.Equal(bulk.Length + 1, inner.Encoded.Count);
    }
}

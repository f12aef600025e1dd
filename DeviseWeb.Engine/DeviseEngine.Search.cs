using System.Collections.Concurrent;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine;

public sealed partial class DeviseEngine
{
    private readonly ConcurrentDictionary<string, float[]> _referenceFeatures = new(StringComparer.Ordinal);
    private readonly object _vocabularyLock = new();
    private volatile KeywordVocabulary? _vocabulary;
    private HashSet<string> _vocabularyLabels = new(StringComparer.Ordinal);
    private string[] _vocabularyWords = [];
    private float[][] _vocabularyVectors = [];

    public SearchResult SearchText(string text, int k = 24, float minScore = -1f, int? modelId = null) =>
        Search(new SearchQuery { Texts = [text], K = k, MinScore = minScore, ModelId = modelId });

    public SearchResult SearchSimilar(int imageId, int k = 24, int? modelId = null) =>
        Search(new SearchQuery { ImageIds = [imageId], K = k, ModelId = modelId });

    public SearchResult Search(SearchQuery query)
    {
        if (query.IsEmpty) throw new DeviseException("Empty query: give words, an image or both.");
        if (query.K is < 1 or > 10_000) throw new DeviseException("k must be between 1 and 10000.");
        var snapshot = RequireSnapshot(query.ModelId);
        var vector = QueryVector(snapshot, query);
        var exclude = query.ExcludeQueryImages ? query.ImageIds.ToHashSet() : null;
        var hits = snapshot.Index.Search(vector, query.K, query.MinScore, exclude)
            .Select(h => GetImage(h.Id) is { } image ? new SearchHit(image, h.Score) : null)
            .OfType<SearchHit>().ToList();
        return new SearchResult(hits, snapshot.Record.Id);
    }

    /// <summary>Nearest vocabulary words (WordNet nouns and the dataset's labels) to an image.</summary>
    public IReadOnlyList<KeywordHit> Keywords(int imageId, int k = 10, int? modelId = null) =>
        KeywordsFor(QueryVector(RequireSnapshot(modelId), new SearchQuery { ImageIds = [imageId] }), k);

    public IReadOnlyList<KeywordHit> KeywordsForReference(string contentHash, int k = 10, int? modelId = null) =>
        KeywordsFor(QueryVector(RequireSnapshot(modelId), new SearchQuery { ReferenceHashes = [contentHash] }), k);

    private IReadOnlyList<KeywordHit> KeywordsFor(float[] vector, int k) =>
        Vocabulary().Nearest(vector, Math.Clamp(k, 1, 1000)).Select(h => new KeywordHit(h.Word, h.Score)).ToList();

    /// <summary>
    /// Keeps an image for searching without adding it to the gallery, content-addressed so a link to it keeps
    /// working. Returns its hash. Rejects bad files with the reason.
    /// </summary>
    public async Task<string> StoreReferenceAsync(Stream content, string fileName, CancellationToken cancellationToken = default)
    {
        using var image = await _loader.LoadAsync(content, Path.GetFileName(fileName), cancellationToken).ConfigureAwait(false);
        string path = ReferencePath(image.ContentHash);
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Options.ReferencesDirectory);
            await File.WriteAllBytesAsync(path + ".tmp", image.Bytes, cancellationToken).ConfigureAwait(false);
            File.Move(path + ".tmp", path, overwrite: true);
        }
        _referenceFeatures.TryAdd(image.ContentHash, await Task.Run(() => Features.Extract(image), cancellationToken).ConfigureAwait(false));
        return image.ContentHash;
    }

    public bool HasReference(string contentHash) => IsHash(contentHash) && File.Exists(ReferencePath(contentHash));

    public string? GetReferencePath(string contentHash) => HasReference(contentHash) ? ReferencePath(contentHash) : null;

    private string ReferencePath(string contentHash) => Path.Combine(Options.ReferencesDirectory, contentHash);

    private static bool IsHash(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);

    private float[] QueryVector(ModelSnapshot snapshot, SearchQuery query)
    {
        var parts = new List<float[]>();
        var texts = query.Texts.Select(t => t.Trim()).Where(t => t.Length > 0).ToArray();
        if (texts.Length > 0) parts.AddRange(Text.Encode(texts));
        foreach (var id in query.ImageIds)
        {
            if (!_catalog.ContainsKey(id)) throw new DeviseException($"No image with id {id}.");
            parts.Add(snapshot.Index.VectorOf(id) ?? EmbedFeatures(snapshot.Head, [RequireFeatures(id, snapshot.Record.Backbone)])[0]);
        }
        foreach (var hash in query.ReferenceHashes)
            parts.Add(EmbedFeatures(snapshot.Head, [ReferenceFeatures(hash)])[0]);
        if (parts.Count == 0) throw new DeviseException("Empty query: give words, an image or both.");
        var sum = new float[parts[0].Length];
        foreach (var part in parts)
            System.Numerics.Tensors.TensorPrimitives.Add(sum, VectorMath.Normalized(part), sum);
        return VectorMath.Normalized(sum);
    }

    private float[] RequireFeatures(int imageId, string backbone) =>
        _store.FeaturesOf(imageId, backbone) ?? throw new DeviseException($"Image {imageId} has no stored features; import it again.");

    private float[] ReferenceFeatures(string hash)
    {
        if (_referenceFeatures.TryGetValue(hash, out var cached)) return cached;
        if (!HasReference(hash)) throw new DeviseException($"No reference image {hash}.");
        using var image = _loader.Load(ReferencePath(hash));
        return _referenceFeatures.GetOrAdd(hash, Features.Extract(image));
    }

    /// <summary>Embeds (or loads from cache) the WordNet nouns, with a progress report; call once at start-up to avoid a slow first keyword query.</summary>
    public Task EnsureVocabularyAsync(IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Vocabulary(progress, cancellationToken), cancellationToken);

    private KeywordVocabulary Vocabulary(IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default)
    {
        var labels = _catalog.Values.Select(i => i.Label).Distinct().Order(StringComparer.Ordinal).ToArray();
        var current = _vocabulary;
        if (current is not null && labels.All(_vocabularyLabels.Contains)) return current;
        lock (_vocabularyLock)
        {
            if (_vocabularyWords.Length == 0 && File.Exists(Options.VocabularyPath))
            {
                var (words, vectors) = VocabularyCache.LoadOrBuild(Options.VocabularyCachePath, Options.VocabularyPath,
                    Options.VocabularyLimit, Text, progress, cancellationToken);
                _vocabularyWords = words.ToArray();
                _vocabularyVectors = vectors;
            }
            var known = new HashSet<string>(_vocabularyWords, StringComparer.Ordinal);
            var extra = labels.Where(l => !known.Contains(l)).ToArray();
            var allWords = _vocabularyWords.Concat(extra).ToArray();
            var allVectors = _vocabularyVectors.Concat(LabelVectors(extra, cancellationToken)).ToArray();
            _vocabularyLabels = [.. labels];
            _vocabulary = KeywordVocabulary.Build(allWords, allVectors, Device);
            return _vocabulary;
        }
    }
}

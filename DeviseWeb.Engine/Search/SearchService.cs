using System.Numerics.Tensors;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Search;

/// <summary>
/// Search by words, gallery images, reference photos or any mix, under the active model or a pinned older one;
/// one query or a batch answered in one pass over the index.
/// </summary>
public sealed class SearchService(ModelService models, GalleryService gallery, FeatureStore features, ReferencePhotos references, Lazy<ITextEncoder> text)
{
    public SearchResult Search(SearchQuery query)
    {
        Check(query);
        using var lease = models.Acquire(query.ModelId);
        var model = lease.Model;
        var vector = QueryVector(model, query);
        var hits = model.Index.Search(vector, query.K, OptionsOf(query));
        return new SearchResult(ToHits(hits), model.Id);
    }

    public SearchResult SearchText(string phrase, int k = SearchLimits.DefaultK, float minScore = -1f, int? modelId = null) =>
        Search(new SearchQuery { Texts = [phrase], K = k, MinScore = minScore, ModelId = modelId });

    public SearchResult SearchSimilar(int imageId, int k = SearchLimits.DefaultK, int? modelId = null) =>
        Search(new SearchQuery { ImageIds = [imageId], K = k, ModelId = modelId, ExcludeQueryImages = true });

    /// <summary>Many queries under one model version, answered in one pass over its index; results in query order.</summary>
    public IReadOnlyList<SearchResult> SearchBatch(IReadOnlyList<SearchQuery> queries, int? modelId = null)
    {
        if (queries.Count is 0 or > SearchLimits.MaxBatch) throw new InvalidInputException($"A batch holds 1 to {SearchLimits.MaxBatch} queries.");
        foreach (var query in queries) Check(query);
        using var lease = models.Acquire(modelId);
        var model = lease.Model;
        // Phrases of the whole batch go through the text encoder together.
        var phrases = queries.SelectMany(q => q.Texts).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        var encoded = phrases.Length == 0 ? [] : text.Value.Encode(phrases);
        var byPhrase = phrases.Zip(encoded).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var vectors = queries.Select(q => QueryVector(model, q, byPhrase)).ToList();
        int k = Math.Min(SearchLimits.MaxK + SearchLimits.MaxParts, queries.Max(q => q.K + (q.ExcludeQueryImages ? q.ImageIds.Count : 0)));
        var all = model.Index.SearchBatch(vectors, k);
        return queries.Select((q, i) =>
        {
            var options = OptionsOf(q);
            var hits = all[i].Where(h => h.Score >= q.MinScore && options.Exclude?.Contains(h.Id) != true).Take(q.K).ToList();
            return new SearchResult(ToHits(hits), model.Id);
        }).ToList();
    }

    /// <summary>An image's vector under a model: stored when indexed, else embedded from its features.</summary>
    internal float[] ImageVector(LoadedModel model, int imageId)
    {
        if (model.Index.Get(imageId) is { } stored) return stored;
        gallery.Get(imageId);
        var vector = features.Get(imageId) ?? throw new NotFoundException($"Image {imageId} has no stored features; import it again.");
        return model.Embed([vector])[0];
    }

    internal float[] ReferenceVector(LoadedModel model, string hash) => model.Embed([references.FeaturesOf(hash)])[0];

    private static void Check(SearchQuery query)
    {
        var problems = query.Problems().ToList();
        if (problems.Count > 0) throw new InvalidInputException(string.Join(" ", problems));
    }

    private static VectorSearchOptions OptionsOf(SearchQuery query) => new()
    {
        MinScore = query.MinScore,
        Exclude = query.ExcludeQueryImages && query.ImageIds.Count > 0 ? query.ImageIds.ToHashSet() : null,
    };

    private float[] QueryVector(LoadedModel model, SearchQuery query, IReadOnlyDictionary<string, float[]>? encoded = null)
    {
        var parts = new List<float[]>();
        var texts = query.Texts.Select(t => t.Trim()).Where(t => t.Length > 0).ToArray();
        if (texts.Length > 0) parts.AddRange(encoded is null ? text.Value.Encode(texts) : texts.Select(t => encoded[t]));
        parts.AddRange(query.ImageIds.Select(id => ImageVector(model, id)));
        parts.AddRange(query.ReferenceHashes.Select(hash => ReferenceVector(model, hash)));
        if (parts.Count == 0) throw new InvalidInputException("Empty query: give words, an image or both.");
        var sum = new float[parts[0].Length];
        foreach (var part in parts) TensorPrimitives.Add(sum, VectorMath.Normalized(part), sum);
        return VectorMath.Normalized(sum);
    }

    private IReadOnlyList<SearchHit> ToHits(IReadOnlyList<VectorHit> hits) =>
        hits.Select(h => gallery.Find(h.Id) is { } image ? new SearchHit(image, h.Score) : null).OfType<SearchHit>().ToList();
}

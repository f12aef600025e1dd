using System.Numerics.Tensors;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Search;

/// <summary>
/// Search by words, gallery images, reference photos or any mix, under the active model or a pinned older one;
/// one query or a batch answered in one pass over the index. The work runs on the thread pool, never on the caller's
/// thread; a cancelled token stops it between steps (the version, the reference photos, the words, the scan) with an
/// <see cref="OperationCanceledException"/>, and what it held is released.
/// </summary>
public sealed class SearchService(ModelService models, GalleryService gallery, FeatureStore features, ReferencePhotos references, Lazy<ITextEncoder> text,
    PhotoRanking photoRanking, HypernymExpansions expansions)
{
    public async Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken cancellationToken = default)
    {
        Check(query);
        using var lease = await AcquireAsync(query.ModelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        var photos = await ReferenceFeaturesAsync(query.ReferenceHashes, cancellationToken).ConfigureAwait(false);
        return await Task.Run(() =>
        {
            var vector = QueryVector(model, query, photos, null, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            return new SearchResult(ToHits(Rank(model, query, vector, PhotosOf(query, photos), query.K)), model.Id);
        }, cancellationToken).ConfigureAwait(false);
    }

    public Task<SearchResult> SearchTextAsync(string phrase, int k = SearchLimits.DefaultK, float minScore = -1f, int? modelId = null,
        CancellationToken cancellationToken = default) =>
        SearchAsync(new SearchQuery { Texts = [phrase], K = k, MinScore = minScore, ModelId = modelId }, cancellationToken);

    public Task<SearchResult> SearchSimilarAsync(int imageId, int k = SearchLimits.DefaultK, int? modelId = null, CancellationToken cancellationToken = default) =>
        SearchAsync(new SearchQuery { ImageIds = [imageId], K = k, ModelId = modelId, ExcludeQueryImages = true }, cancellationToken);

    /// <summary>Many queries under one model version, answered in one pass over its index; results in query order.</summary>
    public async Task<IReadOnlyList<SearchResult>> SearchBatchAsync(IReadOnlyList<SearchQuery> queries, int? modelId = null,
        CancellationToken cancellationToken = default)
    {
        if (queries.Count is 0 or > SearchLimits.MaxBatch) throw new InvalidInputException($"A batch holds 1 to {SearchLimits.MaxBatch} queries.");
        foreach (var query in queries) Check(query);
        using var lease = await AcquireAsync(modelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        var photos = await ReferenceFeaturesAsync(queries.SelectMany(q => q.ReferenceHashes), cancellationToken).ConfigureAwait(false);
        return await Task.Run(() =>
        {
            // Phrases of the whole batch go through the text encoder together.
            var phrases = queries.SelectMany(q => q.Texts).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
            var encoded = phrases.Length == 0 ? [] : text.Value.Encode(phrases, cancellationToken);
            var byPhrase = phrases.Zip(encoded).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
            var vectors = queries.Select(q => QueryVector(model, q, photos, byPhrase, cancellationToken)).ToList();
            int k = Math.Min(SearchLimits.MaxK + SearchLimits.MaxParts, queries.Max(q => q.K + (q.ExcludeQueryImages ? q.ImageIds.Count : 0)));
            cancellationToken.ThrowIfCancellationRequested();
            // Word queries share one pass over the index; a query with photos is ranked on its own (PhotoRanking).
            var photoFeatures = queries.Select(q => PhotosOf(q, photos)).ToList();
            var words = Enumerable.Range(0, queries.Count).Where(i => photoFeatures[i].Count == 0).ToList();
            var all = words.Count == 0 ? [] : model.Index.SearchBatch(words.Select(i => vectors[i]).ToList(), k);
            var byQuery = words.Select((q, at) => (q, at)).ToDictionary(p => p.q, p => all[p.at]);
            return (IReadOnlyList<SearchResult>)queries.Select((q, i) =>
            {
                var options = OptionsOf(q);
                var hits = byQuery.TryGetValue(i, out var found)
                    ? found.Where(h => h.Score >= q.MinScore && options.Exclude?.Contains(h.Id) != true).Take(q.K).ToList()
                    : Rank(model, q, vectors[i], photoFeatures[i], q.K);
                return new SearchResult(ToHits(hits), model.Id);
            }).ToList();
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A gallery image's vector under a model version (the active one for null).</summary>
    internal async Task<float[]> ImageVectorAsync(int imageId, int? modelId, CancellationToken cancellationToken)
    {
        using var lease = await AcquireAsync(modelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        return await Task.Run(() => ImageVector(model, imageId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A reference photo's vector under a model version (the active one for null).</summary>
    internal async Task<float[]> ReferenceVectorAsync(string hash, int? modelId, CancellationToken cancellationToken)
    {
        using var lease = await AcquireAsync(modelId, cancellationToken).ConfigureAwait(false);
        var model = lease.Model;
        var photo = await references.FeaturesOfAsync(hash, cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => model.Embed([photo])[0], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The version to answer with, held until the lease is disposed. <see cref="ModelService"/> acquires synchronously
    /// and may wait on its load lock (a pinned version being loaded), so that wait happens on the pool, not the caller's
    /// thread. A token cancelled before it starts leaves nothing held; once started, it hands its lease back to be disposed.
    /// </summary>
    private Task<ModelLease> AcquireAsync(int? modelId, CancellationToken cancellationToken) =>
        Task.Run(() => models.Acquire(modelId), cancellationToken);

    /// <summary>Backbone features of each distinct reference photo: read and decoded asynchronously (the decode waits for a slot).</summary>
    private async Task<IReadOnlyDictionary<string, float[]>> ReferenceFeaturesAsync(IEnumerable<string> hashes, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var hash in hashes)
            if (!result.ContainsKey(hash)) result[hash] = await references.FeaturesOfAsync(hash, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>An image's vector under a model: stored when indexed, else embedded from its features.</summary>
    private float[] ImageVector(LoadedModel model, int imageId)
    {
        if (model.Index.Get(imageId) is { } stored) return stored;
        gallery.Get(imageId);
        var vector = features.Get(imageId) ?? throw new NotFoundException($"Image {imageId} has no stored features; import it again.");
        return model.Embed([vector])[0];
    }

    /// <summary>
    /// Word queries rank by the embedding alone; a query with photos (gallery images, reference photos) blends their
    /// backbone features in (<see cref="PhotoRanking"/>), weighted by the photos' share of the query's parts.
    /// </summary>
    private IReadOnlyList<VectorHit> Rank(LoadedModel model, SearchQuery query, float[] vector, IReadOnlyList<float[]> photoFeatures, int k)
    {
        if (photoFeatures.Count == 0) return model.Index.Search(vector, k, OptionsOf(query));
        int parts = query.Texts.Count(t => t.Trim().Length > 0) + query.ImageIds.Count + query.ReferenceHashes.Count;
        float weight = PhotoRanking.FeatureWeight * (query.ImageIds.Count + query.ReferenceHashes.Count) / parts;
        return photoRanking.Search(model.Index, photoFeatures, vector, weight, k, OptionsOf(query));
    }

    /// <summary>Backbone features of a query's photos: its gallery images' (those with stored features) and its reference photos'.</summary>
    private IReadOnlyList<float[]> PhotosOf(SearchQuery query, IReadOnlyDictionary<string, float[]> photos) =>
        [.. query.ImageIds.Select(features.Get).OfType<float[]>(), .. query.ReferenceHashes.Select(hash => photos[hash])];

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

    private float[] QueryVector(LoadedModel model, SearchQuery query, IReadOnlyDictionary<string, float[]> photos,
        IReadOnlyDictionary<string, float[]>? encoded, CancellationToken cancellationToken)
    {
        var parts = new List<float[]>();
        var texts = query.Texts.Select(t => t.Trim()).Where(t => t.Length > 0).ToArray();
        if (texts.Length > 0)
        {
            // A category word that is no label is moved toward the labels under it (HypernymExpansion).
            var expansion = expansions.For(model);
            var vectors = encoded is null ? text.Value.Encode(texts, cancellationToken) : texts.Select(t => encoded[t]).ToArray();
            parts.AddRange(texts.Select((t, i) => expansion.Expand(t, vectors[i], cancellationToken)));
        }
        parts.AddRange(query.ImageIds.Select(id => ImageVector(model, id)));
        parts.AddRange(query.ReferenceHashes.Select(hash => model.Embed([photos[hash]])[0]));
        if (parts.Count == 0) throw new InvalidInputException("Empty query: give words, an image or both.");
        var sum = new float[parts[0].Length];
        foreach (var part in parts) TensorPrimitives.Add(sum, VectorMath.Normalized(part), sum);
        return VectorMath.Normalized(sum);
    }

    private IReadOnlyList<SearchHit> ToHits(IReadOnlyList<VectorHit> hits)
    {
        var images = gallery.FindMany(hits.Select(h => h.Id)).ToDictionary(i => i.Id);
        return hits.Select(h => images.TryGetValue(h.Id, out var image) ? new SearchHit(image, h.Score) : null).OfType<SearchHit>().ToList();
    }
}

using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Engine.Text;

/// <summary>
/// Image → keywords: the words nearest an image's vector among WordNet's nouns (embedded once, cached on disk)
/// and the gallery's labels. The vocabulary is built on first use or by the vocabulary job, and rebuilt when
/// labels appear that it lacks; one build runs at a time, and a request waiting for it holds no thread.
/// </summary>
public sealed class KeywordService(EngineOptions options, ImageRepository images, SearchService search, Lazy<ITextEncoder> text, LabelVectors labelVectors) : IDisposable
{
    private readonly SemaphoreSlim _building = new(1, 1); // guards _nouns, _nounVectors and the swap of _vocabulary
    private Vocabulary? _vocabulary;
    private string[] _nouns = [];
    private float[][] _nounVectors = [];

    private sealed record Vocabulary(string[] Words, HashSet<string> Labels, InProcessVectorIndex Index);

    /// <summary>Words in the vocabulary once built; null before.</summary>
    public int? Size => Volatile.Read(ref _vocabulary)?.Words.Length;

    public async Task<IReadOnlyList<KeywordHit>> ForImageAsync(int imageId, int k = 10, int? modelId = null, CancellationToken cancellationToken = default)
    {
        CheckCount(k);
        var vector = await search.ImageVectorAsync(imageId, modelId, cancellationToken).ConfigureAwait(false);
        return await NearestAsync(vector, k, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<KeywordHit>> ForReferenceAsync(string hash, int k = 10, int? modelId = null, CancellationToken cancellationToken = default)
    {
        CheckCount(k);
        var vector = await search.ReferenceVectorAsync(hash, modelId, cancellationToken).ConfigureAwait(false);
        return await NearestAsync(vector, k, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Embeds (or loads from the cache file) the nouns and labels; the first time takes minutes, so it runs as a job.
    /// Cancelling stops the build.
    /// </summary>
    public async Task<int> BuildAsync(IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default) =>
        (await CurrentAsync(progress, cancellationToken, cancellationToken).ConfigureAwait(false)).Words.Length;

    private static void CheckCount(int k)
    {
        if (k is < 1 or > SearchLimits.MaxK) throw new InvalidInputException($"k must be between 1 and {SearchLimits.MaxK}.");
    }

    /// <summary>
    /// A request builds the vocabulary when it has to, but the build is shared work: a request that is cancelled stops
    /// waiting for it at once, and the build goes on for the next one.
    /// </summary>
    private async Task<IReadOnlyList<KeywordHit>> NearestAsync(float[] vector, int k, CancellationToken cancellationToken)
    {
        var vocabulary = await CurrentAsync(null, CancellationToken.None, cancellationToken).ConfigureAwait(false);
        return await Task.Run(() => (IReadOnlyList<KeywordHit>)vocabulary.Index.Search(vector, k).Select(h => new KeywordHit(vocabulary.Words[h.Id], h.Score)).ToList(),
            cancellationToken).ConfigureAwait(false);
    }

    /// <param name="buildToken">Stops a build this call starts.</param>
    /// <param name="waitToken">Stops this call's wait for the build slot and for the build.</param>
    private async Task<Vocabulary> CurrentAsync(IProgress<(int Done, int Total)>? progress, CancellationToken buildToken, CancellationToken waitToken)
    {
        var labels = images.LabelCounts().Select(l => l.Label).ToArray();
        if (Covering(Volatile.Read(ref _vocabulary), labels) is { } current) return current;
        await _building.WaitAsync(waitToken).ConfigureAwait(false);
        var build = Task.Run(() =>
        {
            try { return Covering(_vocabulary, labels) ?? Build(labels, progress, buildToken); }
            finally { _building.Release(); }
        }, CancellationToken.None);
        return await build.WaitAsync(waitToken).ConfigureAwait(false);
    }

    private static Vocabulary? Covering(Vocabulary? vocabulary, string[] labels) =>
        vocabulary is not null && labels.All(vocabulary.Labels.Contains) ? vocabulary : null;

    /// <summary>Runs holding the build slot.</summary>
    private Vocabulary Build(string[] labels, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        if (_nouns.Length == 0 && File.Exists(options.VocabularyPath))
        {
            var (words, vectors) = VocabularyCache.LoadOrBuild(options.VocabularyCachePath, options.VocabularyPath,
                options.VocabularyLimit, text.Value, progress, cancellationToken);
            _nouns = [.. words];
            _nounVectors = vectors;
        }
        var known = new HashSet<string>(_nouns, StringComparer.Ordinal);
        var extra = labels.Where(l => !known.Contains(l)).ToArray();
        var allWords = _nouns.Concat(extra).ToArray();
        var allVectors = _nounVectors.Concat(labelVectors.Get(extra, cancellationToken)).ToArray();
        var index = InProcessVectorIndex.Build(text.Value.Dimension, Enumerable.Range(0, allWords.Length).ToArray(), allVectors);
        var next = new Vocabulary(allWords, new HashSet<string>(labels, StringComparer.Ordinal), index);
        var previous = Interlocked.Exchange(ref _vocabulary, next);
        previous?.Index.Dispose();
        return next;
    }

    public void Dispose() => Volatile.Read(ref _vocabulary)?.Index.Dispose();
}

using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Engine.Text;

/// <summary>
/// Image → keywords: the words nearest an image's vector among WordNet's nouns (embedded once, cached on disk)
/// and the gallery's labels. The vocabulary is built on first use or by the vocabulary job, and rebuilt when
/// labels appear that it lacks.
/// </summary>
public sealed class KeywordService(EngineOptions options, ImageRepository images, ModelService models, SearchService search, Lazy<ITextEncoder> text, LabelVectors labelVectors) : IDisposable
{
    private readonly object _lock = new();
    private Vocabulary? _vocabulary;
    private string[] _nouns = [];
    private float[][] _nounVectors = [];

    private sealed record Vocabulary(string[] Words, HashSet<string> Labels, InProcessVectorIndex Index);

    /// <summary>Words in the vocabulary once built; null before.</summary>
    public int? Size => Volatile.Read(ref _vocabulary)?.Words.Length;

    public IReadOnlyList<KeywordHit> ForImage(int imageId, int k = 10, int? modelId = null)
    {
        using var lease = models.Acquire(modelId);
        return Nearest(search.ImageVector(lease.Model, imageId), k);
    }

    public IReadOnlyList<KeywordHit> ForReference(string hash, int k = 10, int? modelId = null)
    {
        using var lease = models.Acquire(modelId);
        return Nearest(search.ReferenceVector(lease.Model, hash), k);
    }

    /// <summary>Embeds (or loads from the cache file) the nouns and labels; the first time takes minutes, so it runs as a job.</summary>
    public int Build(IProgress<(int Done, int Total)>? progress = null, CancellationToken cancellationToken = default) =>
        Current(progress, cancellationToken).Words.Length;

    private IReadOnlyList<KeywordHit> Nearest(float[] vector, int k)
    {
        if (k is < 1 or > SearchLimits.MaxK) throw new InvalidInputException($"k must be between 1 and {SearchLimits.MaxK}.");
        var vocabulary = Current(null, CancellationToken.None);
        return vocabulary.Index.Search(vector, k).Select(h => new KeywordHit(vocabulary.Words[h.Id], h.Score)).ToList();
    }

    private Vocabulary Current(IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        var labels = images.LabelCounts().Select(l => l.Label).ToArray();
        var current = Volatile.Read(ref _vocabulary);
        if (current is not null && labels.All(current.Labels.Contains)) return current;
        lock (_lock)
        {
            current = _vocabulary;
            if (current is not null && labels.All(current.Labels.Contains)) return current;
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
    }

    public void Dispose() => Volatile.Read(ref _vocabulary)?.Index.Dispose();
}

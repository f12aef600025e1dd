using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Evaluation;

/// <summary>
/// Measures a model version from its own embeddings: the gallery figures on its split (<see cref="Evaluator"/>), and
/// text search over the evaluation set, the evaluation-only images it never trained on (<see cref="TextQueries"/>),
/// for their label names and for broader WordNet words. Training measures each new version so at its end; the eval
/// job measures any stored version against the gallery as it is now and keeps the figures with the version.
/// </summary>
public sealed class EvaluationService(ModelService models, ModelRepository records, ImageRepository images, LabelVectors labelVectors,
    Lazy<WordNetHypernyms?> hypernyms, FeatureStore features, DuplicateProbe duplicates, EngineOptions options)
{
    /// <summary>Evaluation images that ask for similar photos, at most (evenly spaced): each scores against every other.</summary>
    internal const int MaxPhotoQueries = 2000;

    /// <summary>Steps <see cref="Measure"/> reports its progress in: its share done, in thousandths.</summary>
    internal const int ProgressSteps = 1000;

    /// <summary>Share of the measuring the gallery figures take; the evaluation set's text queries take the rest.</summary>
    private const double GalleryShare = 0.8;

    /// <summary>Measures a version (the active one when null), stores the figures with it and returns them.</summary>
    public EvaluationReport Evaluate(int? modelId = null, IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var passes = new PhasedProgress([("Loading the version", 1), ("Measuring", 10), ("Finding copies", 10)], p => progress?.Report(p), cancellationToken);
        passes.Begin("Loading the version", 1);
        using var lease = models.Acquire(modelId);
        var model = lease.Model;
        var record = model.Record;
        var indexed = model.Index.Ids().ToHashSet();
        var labelOf = images.IdsAndLabels().Where(i => indexed.Contains(i.Id)).ToDictionary(i => i.Id, i => i.Label);
        var split = new DatasetSplit(record.TrainImageIds, record.ValidationImageIds, record.HeldOutImageIds, record.HeldOutLabels);
        var measuring = passes.Begin("Measuring", ProgressSteps);
        var report = Measure(model.Index, labelOf, split, images.EvaluationIds(), record.History.LastOrDefault()?.ValidationLoss,
            done => measuring.Report(done), cancellationToken);
        // A version trained before images were marked keeps the figures its training measured (a second head then).
        if (report.PhotoImageCount == 0 && record.Evaluation is { PhotoImageCount: > 0 } trained)
            report = report with
            {
                PhotoExactPrecisionAt5 = trained.PhotoExactPrecisionAt5, PhotoBroaderPrecisionAt5 = trained.PhotoBroaderPrecisionAt5,
                PhotoImageCount = trained.PhotoImageCount,
            };
        measuring.Complete();
        var set = EvaluationSet(labelOf, split, images.EvaluationIds());
        var finding = passes.Begin("Finding copies", Math.Max(1, set.Count));
        report = report with { DuplicateHit1 = duplicates.Measure(model, set, done => finding.Report(done), cancellationToken) };
        cancellationToken.ThrowIfCancellationRequested();
        records.SetEvaluation(record.Id, report);
        finding.Complete();
        return report;
    }

    /// <summary>
    /// The figures of a version's embeddings (<paramref name="embeddings"/>, every gallery image it holds). Evaluation
    /// images it trained or validated on (a version trained before they were marked) are left out of the evaluation set.
    /// <paramref name="done"/> hears the progress in <see cref="ProgressSteps"/> after each block of queries, each
    /// preceded by a check for a cancel.
    /// </summary>
    internal EvaluationReport Measure(IVectorIndex embeddings, IReadOnlyDictionary<int, string> labelOf, DatasetSplit split,
        IReadOnlyCollection<int> evaluationIds, double? validationLoss, Action<long>? done, CancellationToken cancellationToken)
    {
        void Report(double share) => done?.Invoke((long)(Math.Clamp(share, 0, 1) * ProgressSteps));
        var labels = labelOf.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        var report = Evaluator.Evaluate(new EvaluationInput(embeddings, labelOf, labels, labelVectors.Get(labels, cancellationToken)), split, validationLoss,
            share => Report(share * GalleryShare), cancellationToken) with { EvaluatedUtc = DateTime.UtcNow };
        var set = EvaluationSet(labelOf, split, evaluationIds);
        if (set.Count == 0) return report;

        var setLabels = set.Select(id => labelOf[id]).ToList();
        var vectors = set.Select(id => embeddings.Get(id) ?? throw new InvalidOperationException($"Image {id} has no embedding.")).ToList();
        var wordNet = hypernyms.Value;
        var names = TextQueries.LabelNames(setLabels);
        var broader = wordNet is null ? [] : TextQueries.BroaderWords(setLabels, l => wordNet.Of(l, TextQueries.BroaderDepth));
        var everyday = EverydayWords.Queries(ReadEverydayWords(), setLabels);
        var photoQueries = PhotoQueries(setLabels);
        double total = Math.Max(1, names.Count + broader.Count + everyday.Count + photoQueries.Count);
        int before = 0;
        Action<int> Answered(int offset) => answered => Report(GalleryShare + (1 - GalleryShare) * (offset + answered) / total);
        // Text queries as search runs them: a category word that is no label moved toward the trained labels under it.
        var trained = split.TrainImageIds.Where(labelOf.ContainsKey).Select(id => labelOf[id]).Distinct(StringComparer.Ordinal).ToList();
        var expansion = HypernymExpansion.Build(trained, labels, wordNet, labelVectors.Get);
        var exact = Score(vectors, names, expansion, Answered(before), cancellationToken);
        var broad = Score(vectors, broader, expansion, Answered(before += names.Count), cancellationToken);
        var words = Score(vectors, everyday, expansion, Answered(before += broader.Count), cancellationToken);
        var photos = PhotoToPhoto(set, setLabels, vectors, photoQueries, Answered(before + everyday.Count), cancellationToken);
        return report with
        {
            PhotoExactPrecisionAt5 = exact, PhotoBroaderPrecisionAt5 = broad, EverydayPrecisionAt5 = words, PhotoToPhotoPrecisionAt5 = photos,
            PhotoImageCount = set.Count,
        };
    }

    /// <summary>Evaluation images the version holds and never trained or validated on, ascending.</summary>
    internal static List<int> EvaluationSet(IReadOnlyDictionary<int, string> labelOf, DatasetSplit split, IReadOnlyCollection<int> evaluationIds)
    {
        var seen = split.TrainImageIds.Concat(split.ValidationImageIds).ToHashSet();
        return evaluationIds.Where(id => labelOf.ContainsKey(id) && !seen.Contains(id)).Order().ToList();
    }

    private IReadOnlyList<EverydayWord> ReadEverydayWords()
    {
        try { return File.Exists(options.EverydayWordsPath) ? EverydayWords.Read(options.EverydayWordsPath) : []; }
        catch (InvalidInputException) { return []; } // checked at import; a file edited by hand since measures nothing
    }

    /// <summary>Rows of the set that share their label with another row: those ask for similar photos (evenly spaced, at most <see cref="MaxPhotoQueries"/>).</summary>
    internal static IReadOnlyList<int> PhotoQueries(IReadOnlyList<string> setLabels)
    {
        var counts = setLabels.CountBy(l => l).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return EvenlySpaced.Take(Enumerable.Range(0, setLabels.Count).Where(row => counts[setLabels[row]] > 1).ToList(), MaxPhotoQueries);
    }

    /// <summary>
    /// Photo → photo over the set by the product's ranking (<see cref="PhotoRanking"/>): each query's 5 best other rows,
    /// precision capped by how many other rows share its label; chance as in <see cref="TextQueries.PrecisionAt5"/>.
    /// </summary>
    internal Metric? PhotoToPhoto(IReadOnlyList<int> set, IReadOnlyList<string> setLabels, IReadOnlyList<float[]> embeddings, IReadOnlyList<int> queries,
        Action<int> answered, CancellationToken cancellationToken, float featureWeight = PhotoRanking.FeatureWeight, bool centre = true)
    {
        if (queries.Count == 0) return null;
        var mean = centre ? features.Mean() : new float[features.Dimension];
        var centred = features.GetMany(set).Select(f => PhotoRanking.Centred(f, mean)).ToArray();
        var counts = setLabels.CountBy(l => l).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        double precision = 0, chance = 0;
        int others = set.Count - 1, depth = Math.Min(TextQueries.Depth, others);
        for (int q = 0; q < queries.Count; q++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int row = queries[q];
            var top = Enumerable.Range(0, set.Count).Where(r => r != row)
                .Select(r => (Row: r, Score: PhotoRanking.Score(centred[row], centred[r], embeddings[row], embeddings[r], featureWeight)))
                .OrderByDescending(p => p.Score).ThenBy(p => p.Row).Take(depth);
            int relevant = counts[setLabels[row]] - 1, cap = Math.Min(depth, relevant);
            precision += top.Count(p => setLabels[p.Row] == setLabels[row]) / (double)cap;
            chance += depth * relevant / ((double)others * cap);
            answered(q + 1);
        }
        return new Metric(precision / queries.Count, chance / queries.Count, queries.Count);
    }

    private Metric? Score(IReadOnlyList<float[]> images, IReadOnlyList<TextQuery> queries, HypernymExpansion expansion, Action<int> answered,
        CancellationToken cancellationToken) =>
        queries.Count == 0 ? null
        : TextQueries.PrecisionAt5(images, queries, labelVectors.Get(queries.Select(q => q.Text).ToList(), cancellationToken)
            .Select((vector, i) => expansion.Expand(queries[i].Text, vector, cancellationToken)).ToList(), answered, cancellationToken);
}

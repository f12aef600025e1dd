using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
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
    Lazy<WordNetHypernyms?> hypernyms)
{
    /// <summary>Steps <see cref="Measure"/> reports its progress in: its share done, in thousandths.</summary>
    internal const int ProgressSteps = 1000;

    /// <summary>Share of the measuring the gallery figures take; the evaluation set's text queries take the rest.</summary>
    private const double GalleryShare = 0.8;

    /// <summary>Measures a version (the active one when null), stores the figures with it and returns them.</summary>
    public EvaluationReport Evaluate(int? modelId = null, IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var passes = new PhasedProgress([("Loading the version", 1), ("Measuring", 10)], p => progress?.Report(p), cancellationToken);
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
        cancellationToken.ThrowIfCancellationRequested();
        records.SetEvaluation(record.Id, report);
        measuring.Complete();
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
        var seen = split.TrainImageIds.Concat(split.ValidationImageIds).ToHashSet();
        var set = evaluationIds.Where(id => labelOf.ContainsKey(id) && !seen.Contains(id)).Order().ToList();
        if (set.Count == 0) return report;

        var setLabels = set.Select(id => labelOf[id]).ToList();
        var vectors = set.Select(id => embeddings.Get(id) ?? throw new InvalidOperationException($"Image {id} has no embedding.")).ToList();
        var wordNet = hypernyms.Value;
        var names = TextQueries.LabelNames(setLabels);
        var broader = wordNet is null ? [] : TextQueries.BroaderWords(setLabels, l => wordNet.Of(l, TextQueries.BroaderDepth));
        double queries = Math.Max(1, names.Count + broader.Count);
        var exact = Score(vectors, names, answered => Report(GalleryShare + (1 - GalleryShare) * answered / queries), cancellationToken);
        var broad = Score(vectors, broader, answered => Report(GalleryShare + (1 - GalleryShare) * (names.Count + answered) / queries), cancellationToken);
        return report with { PhotoExactPrecisionAt5 = exact, PhotoBroaderPrecisionAt5 = broad, PhotoImageCount = set.Count };
    }

    private Metric? Score(IReadOnlyList<float[]> images, IReadOnlyList<TextQuery> queries, Action<int> answered, CancellationToken cancellationToken) =>
        queries.Count == 0 ? null
        : TextQueries.PrecisionAt5(images, queries, labelVectors.Get(queries.Select(q => q.Text).ToList(), cancellationToken), answered, cancellationToken);
}

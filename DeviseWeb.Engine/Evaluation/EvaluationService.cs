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
    /// <summary>What an evaluation reports as done of: loading the version, the gallery figures, the evaluation set.</summary>
    private const int Steps = 3;

    /// <summary>Measures a version (the active one when null), stores the figures with it and returns them.</summary>
    public EvaluationReport Evaluate(int? modelId = null, IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        progress?.Report(new JobProgress(0, 0, Steps, $"Loading model version {modelId?.ToString() ?? "(active)"}"));
        using var lease = models.Acquire(modelId);
        var model = lease.Model;
        var record = model.Record;
        var indexed = model.Index.Ids().ToHashSet();
        var labelOf = images.IdsAndLabels().Where(i => indexed.Contains(i.Id)).ToDictionary(i => i.Id, i => i.Label);
        var split = new DatasetSplit(record.TrainImageIds, record.ValidationImageIds, record.HeldOutImageIds, record.HeldOutLabels);
        var report = Measure(model.Index, labelOf, split, images.EvaluationIds(), record.History.LastOrDefault()?.ValidationLoss, progress, cancellationToken);
        // A version trained before images were marked keeps the figures its training measured (a second head then).
        if (report.PhotoImageCount == 0 && record.Evaluation is { PhotoImageCount: > 0 } trained)
            report = report with
            {
                PhotoExactPrecisionAt5 = trained.PhotoExactPrecisionAt5, PhotoBroaderPrecisionAt5 = trained.PhotoBroaderPrecisionAt5,
                PhotoImageCount = trained.PhotoImageCount,
            };
        cancellationToken.ThrowIfCancellationRequested();
        records.SetEvaluation(record.Id, report);
        progress?.Report(new JobProgress(1, Steps, Steps, $"Model version {record.Id} evaluated"));
        return report;
    }

    /// <summary>
    /// The figures of a version's embeddings (<paramref name="embeddings"/>, every gallery image it holds). Evaluation
    /// images it trained or validated on (a version trained before they were marked) are left out of the evaluation set.
    /// </summary>
    internal EvaluationReport Measure(IVectorIndex embeddings, IReadOnlyDictionary<int, string> labelOf, DatasetSplit split,
        IReadOnlyCollection<int> evaluationIds, double? validationLoss, IProgress<JobProgress>? progress, CancellationToken cancellationToken)
    {
        var labels = labelOf.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        progress?.Report(new JobProgress(0.1, 1, Steps, $"Zero-shot and precision@9 over {labels.Count:N0} labels"));
        var report = Evaluator.Evaluate(new EvaluationInput(embeddings, labelOf, labels, labelVectors.Get(labels, cancellationToken)), split, validationLoss)
            with { EvaluatedUtc = DateTime.UtcNow };
        var seen = split.TrainImageIds.Concat(split.ValidationImageIds).ToHashSet();
        var set = evaluationIds.Where(id => labelOf.ContainsKey(id) && !seen.Contains(id)).Order().ToList();
        if (set.Count == 0) return report;

        var setLabels = set.Select(id => labelOf[id]).ToList();
        var vectors = set.Select(id => embeddings.Get(id) ?? throw new InvalidOperationException($"Image {id} has no embedding.")).ToList();
        var wordNet = hypernyms.Value;
        var names = TextQueries.LabelNames(setLabels);
        var broader = wordNet is null ? [] : TextQueries.BroaderWords(setLabels, l => wordNet.Of(l, TextQueries.BroaderDepth));
        progress?.Report(new JobProgress(0.5, 2, Steps, $"Text search over {set.Count:N0} evaluation images: {names.Count + broader.Count:N0} queries"));
        return report with
        {
            PhotoExactPrecisionAt5 = Score(vectors, names, cancellationToken),
            PhotoBroaderPrecisionAt5 = Score(vectors, broader, cancellationToken),
            PhotoImageCount = set.Count,
        };
    }

    private Metric? Score(IReadOnlyList<float[]> images, IReadOnlyList<TextQuery> queries, CancellationToken cancellationToken) =>
        queries.Count == 0 ? null : TextQueries.PrecisionAt5(images, queries, labelVectors.Get(queries.Select(q => q.Text).ToList(), cancellationToken));
}

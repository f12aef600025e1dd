using System.Diagnostics;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Models;

/// <summary>
/// Trains a new head on the stored features (the backbone never runs), evaluates it, saves it as a model version
/// with the gallery embedded under it and, unless told otherwise, activates it.
/// </summary>
public sealed class ModelTrainer(
    FeatureStore features, FeatureViewStore views, ImageRepository images, LabelVectors labelVectors, ModelRepository models, ModelService modelService,
    ImageEmbedderFactory embedders, TrainingTargets targets, PhotoEvaluation photoEvaluation)
{
    /// <summary>The one place training options are checked; throws <see cref="InvalidInputException"/> naming every problem.</summary>
    public static void Validate(TrainingOptions options)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new InvalidInputException(string.Join(" ", problems));
    }

    internal ModelVersionInfo Train(TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();
        var withFeatures = features.Ids().ToHashSet();
        var gallery = images.IdsAndLabels().Where(i => withFeatures.Contains(i.Id)).ToList();
        var evaluationIds = images.EvaluationIds().Where(withFeatures.Contains).ToList();
        var isEvaluation = evaluationIds.ToHashSet();
        var split = DatasetSplitter.Split(gallery.Where(i => !isEvaluation.Contains(i.Id)).ToList(), options);
        var labels = gallery.Select(i => i.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var vectorOf = labels.Zip(labelVectors.Get(labels, cancellationToken)).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var ids = gallery.Select(i => i.Id).ToArray();
        var rows = features.GetMany(ids);
        var viewRows = options.AugmentedViews > 0 ? views.RequireMany(options.ViewBackground, options.AugmentedViews, ids) : null;
        var data = new TrainingData(ids, rows, gallery.ToDictionary(i => i.Id, i => i.Label), targets.For(labels, options, cancellationToken), viewRows);

        var inSplit = split.TrainImageIds.Concat(split.ValidationImageIds).Concat(split.HeldOutImageIds).ToHashSet();
        var domain = new TargetDomain(ids, ids.Where(id => !inSplit.Contains(id)).ToList());
        var fitter = new HeadFitter(embedders, options, new PassProgress(progress, HeadFitter.Passes(options, domain)));
        var (embedder, history, classLabels, scaling) = fitter.Fit(data, split.TrainImageIds, split.ValidationImageIds, domain, photoEvaluation: false, cancellationToken);
        LoadedModel? model = null; // owns the embedder once created
        try
        {
            var embeddings = embedder.Embed(rows);
            // Before the index is built: quantising NaN vectors is meaningless.
            FiniteModelCheck.ThrowIfDiverged(FiniteModelCheck.Problem(embedder.Head, embeddings));
            EvaluationReport evaluation;
            using (var embedded = InProcessVectorIndex.Build(labelVectors.Encoder.Dimension, ids, embeddings))
            {
                evaluation = Evaluator.Evaluate(new EvaluationInput(embedded, data.LabelOf, labels, labels.Select(l => vectorOf[l]).ToArray()), split,
                    history.LastOrDefault()?.ValidationLoss);
            }
            if (evaluationIds.Count > 0)
            {
                var rowOf = ids.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);
                var scores = photoEvaluation.Score(evaluationIds.Select(id => embeddings[rowOf[id]]).ToList(), evaluationIds.Select(id => data.LabelOf[id]).ToList(),
                    labels, options.HubnessCorrection, cancellationToken);
                evaluation = evaluation with { PhotoExactPrecisionAt5 = scores.Exact, PhotoBroaderPrecisionAt5 = scores.Broader, PhotoImageCount = evaluationIds.Count };
            }
            cancellationToken.ThrowIfCancellationRequested();
            FiniteModelCheck.ThrowIfDiverged(FiniteModelCheck.Problem(history, evaluation));

            var record = new ModelRecord
            {
                CreatedUtc = DateTime.UtcNow, OptionsVersion = ModelRecord.CurrentOptionsVersion, Options = options, Backbone = features.Backbone, TextEncoder = labelVectors.Encoder.Name,
                Architecture = Describe(options, features.Dimension, labelVectors.Encoder.Dimension, classLabels.Count),
                FeatureDimension = features.Dimension, EmbeddingDimension = labelVectors.Encoder.Dimension,
                Labels = labels, HeldOutLabels = [.. split.HeldOutLabels], TrainImageIds = [.. split.TrainImageIds],
                ValidationImageIds = [.. split.ValidationImageIds], HeldOutImageIds = [.. split.HeldOutImageIds], ClassLabels = [.. classLabels], DomainScaling = scaling,
                History = history, Evaluation = evaluation, DurationSeconds = clock.Elapsed.TotalSeconds, Completed = true,
            };
            var weights = embedder.Head.SaveWeights();
            modelService.EnsureRoomForVersion(ids.Length, labelVectors.Encoder.Dimension, weights.Length);
            models.Add(record, weights);
            model = modelService.Create(record, ids, embeddings, embedder);
            if (options.Activate) modelService.Install(model);
            else model.Release();
            return ModelService.ToInfo(record, options.Activate);
        }
        catch
        {
            if (model is null) embedder.Dispose();
            else model.Release();
            throw;
        }
    }

    /// <summary>The architecture line of a version: the head, and the mapping around it when not plain DeViSE.</summary>
    public static string Describe(TrainingOptions options, int featureDimension, int embeddingDimension, int classCount)
    {
        var head = DeviseHead.Describe(featureDimension, options.HiddenSize, options.Mapping == MappingKind.ConSE ? classCount : embeddingDimension, options.Dropout);
        var parts = new List<string> { options.Mapping == MappingKind.ConSE ? $"ConSE(top {options.ConseTop}) over {head}" : head };
        if (options.TransferWeight > 0) parts.Add($"label transfer {options.TransferWeight:0.##} (k {options.TransferNeighbours}, τ {options.TransferTemperature:0.###}, {options.TransferSource})");
        if (options.HypernymWeight > 0) parts.Add($"hypernym targets {options.HypernymWeight:0.##}");
        if (options.AugmentedViews > 0) parts.Add($"{options.AugmentedViews} augmented views on {FeatureViewStore.BackgroundName(options.ViewBackground)}");
        if (options.AlignFeatures) parts.Add("CORAL");
        if (options.NormalizeDomains) parts.Add("per-domain normalisation");
        if (options.SelfTraining) parts.Add("self-training");
        return string.Join(" + ", parts);
    }
}

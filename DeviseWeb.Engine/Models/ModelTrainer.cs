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
        var split = DatasetSplitter.Split(gallery, options);
        var labels = gallery.Select(i => i.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var vectorOf = labels.Zip(labelVectors.Get(labels, cancellationToken)).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var ids = gallery.Select(i => i.Id).ToArray();
        var rows = features.GetMany(ids);
        var viewRows = options.AugmentedViews > 0 ? views.RequireMany(options.ViewBackground, options.AugmentedViews, ids) : null;
        var data = new TrainingData(ids, rows, gallery.ToDictionary(i => i.Id, i => i.Label), targets.For(labels, options, cancellationToken), viewRows);

        var (embedder, history, classLabels) = Fit(data, split.TrainImageIds, split.ValidationImageIds, options, progress, cancellationToken);
        LoadedModel? model = null; // owns the embedder once created
        try
        {
            var embeddings = embedder.Embed(rows);
            // Before the index is built: quantising NaN vectors is meaningless.
            FiniteModelCheck.ThrowIfDiverged(FiniteModelCheck.Problem(embedder.Head, embeddings));
            EvaluationReport evaluation;
            using (var embedded = InProcessVectorIndex.Build(labelVectors.Encoder.Dimension, ids, embeddings))
            {
                evaluation = Evaluator.Evaluate(new EvaluationInput(embedded, data.LabelOf, labels, labels.Select(l => vectorOf[l]).ToArray()),
                    split.ValidationImageIds, split.HeldOutImageIds, split.HeldOutLabels, history.LastOrDefault()?.ValidationLoss);
            }
            if (options.EvaluatePhotos) evaluation = EvaluatePhotos(evaluation, data, split, labels, options, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            FiniteModelCheck.ThrowIfDiverged(FiniteModelCheck.Problem(history, evaluation));

            var record = new ModelRecord
            {
                CreatedUtc = DateTime.UtcNow, OptionsVersion = ModelRecord.CurrentOptionsVersion, Options = options, Backbone = features.Backbone, TextEncoder = labelVectors.Encoder.Name,
                Architecture = Describe(options, features.Dimension, labelVectors.Encoder.Dimension, classLabels.Count),
                FeatureDimension = features.Dimension, EmbeddingDimension = labelVectors.Encoder.Dimension,
                Labels = labels, HeldOutLabels = [.. split.HeldOutLabels], TrainImageIds = [.. split.TrainImageIds],
                ValidationImageIds = [.. split.ValidationImageIds], HeldOutImageIds = [.. split.HeldOutImageIds], ClassLabels = [.. classLabels],
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
        if (options.AugmentedViews > 0) parts.Add($"{options.AugmentedViews} augmented views on {FeatureViewStore.BackgroundName(options.ViewBackground)}");
        if (options.AlignFeatures) parts.Add("CORAL");
        return string.Join(" + ", parts);
    }

    /// <summary>The rows a run reads: every gallery image's features, label and label target, and its augmented views as [view][row] when asked.</summary>
    private sealed record TrainingData(int[] Ids, float[][] Rows, IReadOnlyDictionary<int, string> LabelOf, IReadOnlyDictionary<string, float[]> TargetOf,
        float[][][]? Views)
    {
        private readonly Dictionary<int, int> _rowOf = Ids.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);

        public float[] Row(int id) => Rows[_rowOf[id]];

        /// <summary>The views of the given images only, so a set never sees the views of an image it leaves out (the photo evaluation's photos).</summary>
        public float[][][]? ViewsOf(IReadOnlyList<int> ids) => Views?.Select(view => ids.Select(id => view[_rowOf[id]]).ToArray()).ToArray();
    }

    /// <summary>Trains a head on the given images (features recoloured by CORAL when asked) and wraps it with its mapping.</summary>
    private (ImageEmbedder Embedder, List<EpochMetrics> History, List<string> ClassLabels) Fit(TrainingData data, IReadOnlyList<int> trainIds,
        IReadOnlyList<int> validationIds, TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var classLabels = trainIds.Select(id => data.LabelOf[id]).Distinct().Order(StringComparer.Ordinal).ToList();
        var classOf = classLabels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => (long)p.i, StringComparer.Ordinal);
        var trainRows = trainIds.Select(data.Row).ToArray();
        var validationRows = validationIds.Select(data.Row).ToArray();
        if (options.AlignFeatures && trainRows.Length > 1)
        {
            var aligned = TransferMath.Coral([.. trainRows, .. validationRows], data.Rows);
            trainRows = aligned[..trainRows.Length];
            validationRows = aligned[trainRows.Length..];
        }
        bool classify = options.Mapping == MappingKind.ConSE;
        TrainingSet SetOf(IReadOnlyList<int> set, float[][] setRows) => new(setRows, set.Select(id => data.TargetOf[data.LabelOf[id]]).ToArray(),
            classify ? set.Select(id => classOf.GetValueOrDefault(data.LabelOf[id], 0)).ToArray() : null, classLabels.Count);
        // Validation images whose label has no training image (possible for tiny labels) have no class: ConSE leaves them out.
        var validationSet = classify ? validationIds.Where(id => classOf.ContainsKey(data.LabelOf[id])).ToList() : validationIds.ToList();
        var validationSetRows = classify ? validationIds.Select((id, i) => (id, i)).Where(p => classOf.ContainsKey(data.LabelOf[p.id])).Select(p => validationRows[p.i]).ToArray() : validationRows;
        var trainSet = SetOf(trainIds, trainRows) with { Views = data.ViewsOf(trainIds) };
        var (head, history) = new HeadTrainer(DeviceChooser.Device).Train(trainSet, SetOf(validationSet, validationSetRows), options, progress, cancellationToken);
        return (embedders.Create(head, options, classLabels, trainIds, cancellationToken), history, classLabels);
    }

    /// <summary>
    /// The photo-transfer evaluation: the same options retrained without the gallery's photographs, then text search
    /// over those photographs only. The version itself still trains on every image.
    /// </summary>
    private EvaluationReport EvaluatePhotos(EvaluationReport evaluation, TrainingData data, DatasetSplit split, IReadOnlyList<string> labels,
        TrainingOptions options, CancellationToken cancellationToken)
    {
        var photos = images.PhotoIds().Where(data.LabelOf.ContainsKey).ToList();
        if (photos.Count == 0) return evaluation;
        var isPhoto = photos.ToHashSet();
        var train = split.TrainImageIds.Where(id => !isPhoto.Contains(id)).ToList();
        if (train.Count == 0 || train.Select(id => data.LabelOf[id]).Distinct().Count() < 2) return evaluation;
        var validation = split.ValidationImageIds.Where(id => !isPhoto.Contains(id)).ToList();
        var (embedder, _, _) = Fit(data, train, validation, options, null, cancellationToken);
        using (embedder)
        {
            var photoLabels = photos.Select(id => data.LabelOf[id]).ToList();
            var scores = photoEvaluation.Score(embedder.Embed(photos.Select(data.Row).ToList()), photoLabels, labels, options.HubnessCorrection, cancellationToken);
            return evaluation with { PhotoExactPrecisionAt5 = scores.Exact, PhotoBroaderPrecisionAt5 = scores.Broader, PhotoImageCount = photos.Count };
        }
    }
}

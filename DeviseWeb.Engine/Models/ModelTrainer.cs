using System.Diagnostics;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using DeviseWeb.Engine.Training.Methods;

namespace DeviseWeb.Engine.Models;

/// <summary>
/// Trains a new model version on the stored features (the backbone never runs) through the <see cref="TrainingPipeline"/>,
/// measures it from its own embeddings (<see cref="EvaluationService"/>), saves it with the gallery embedded under it
/// and, unless told otherwise, activates it. Evaluation-only images are embedded and measured, never trained on.
/// </summary>
public sealed class ModelTrainer(
    FeatureStore features, ImageRepository images, LabelVectors labelVectors, ModelRepository models, ModelService modelService,
    TrainingPipeline pipeline, EvaluationService evaluation)
{
    /// <summary>The one place training options are checked; throws <see cref="InvalidInputException"/> naming every problem.</summary>
    public static void Validate(TrainingOptions options)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new InvalidInputException(string.Join(" ", problems));
    }

    internal ModelVersionInfo Train(TrainingOptions options, IProgress<TrainingProgress>? progress, Action<string>? log, CancellationToken cancellationToken)
    {
        Validate(options);
        var clock = Stopwatch.StartNew();
        var withFeatures = features.Ids().ToHashSet();
        var gallery = images.IdsAndLabels().Where(i => withFeatures.Contains(i.Id)).ToList();
        var evaluationIds = images.EvaluationIds().Where(withFeatures.Contains).ToList();
        var isEvaluation = evaluationIds.ToHashSet();
        var split = DatasetSplitter.Split(gallery.Where(i => !isEvaluation.Contains(i.Id)).ToList(), options);
        var ids = gallery.Select(i => i.Id).ToArray();
        var rows = new GalleryRows(ids, features.GetMany(ids), gallery.ToDictionary(i => i.Id, i => i.Label));

        var (embedder, history) = pipeline.Fit(rows, split, options, progress, cancellationToken);
        LoadedModel? model = null; // owns the embedder once created
        try
        {
            var embeddings = embedder.Embed(rows.Rows);
            // Before the index is built: quantising NaN vectors is meaningless.
            FiniteModelCheck.ThrowIfDiverged(FiniteModelCheck.Problem(embedder.Head, embeddings));
            if (evaluationIds.Count > 0) log?.Invoke($"Evaluating on {evaluationIds.Count:N0} evaluation images (never trained on)");
            EvaluationReport report;
            using (var embedded = InProcessVectorIndex.Build(labelVectors.Encoder.Dimension, ids, embeddings))
                report = evaluation.Measure(embedded, rows.LabelOf, split, evaluationIds, history.LastOrDefault()?.ValidationLoss, null, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            FiniteModelCheck.ThrowIfDiverged(FiniteModelCheck.Problem(history, report));

            var record = new ModelRecord
            {
                CreatedUtc = DateTime.UtcNow, OptionsVersion = ModelRecord.CurrentOptionsVersion, Options = options, Backbone = features.Backbone, TextEncoder = labelVectors.Encoder.Name,
                Architecture = TrainingPipeline.Describe(options, embedder.Mapping, features.Dimension),
                FeatureDimension = features.Dimension, EmbeddingDimension = labelVectors.Encoder.Dimension,
                Labels = rows.LabelOf.Values.Distinct().Order(StringComparer.Ordinal).ToList(), HeldOutLabels = [.. split.HeldOutLabels],
                TrainImageIds = [.. split.TrainImageIds], ValidationImageIds = [.. split.ValidationImageIds], HeldOutImageIds = [.. split.HeldOutImageIds],
                ClassLabels = [.. embedder.Mapping.ClassLabels], History = history, Evaluation = report, DurationSeconds = clock.Elapsed.TotalSeconds, Completed = true,
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
}

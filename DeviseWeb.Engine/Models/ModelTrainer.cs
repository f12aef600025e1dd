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
/// Every pass (<see cref="TrainingPass"/>) reports its own progress and stops within a block of its work when the job
/// is cancelled; nothing is stored before the last commit, so a cancelled run leaves the store as it was.
/// </summary>
public sealed class ModelTrainer(
    FeatureStore features, ImageRepository images, LabelVectors labelVectors, ModelService modelService,
    TrainingPipeline pipeline, EvaluationService evaluation)
{
    /// <summary>Feature rows copied per block while reading the gallery.</summary>
    private const int ReadBlock = 16_384;

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
        var ids = features.Ids().ToArray();
        var withFeatures = ids.ToHashSet();
        var labelOf = new Dictionary<int, string>(ids.Length);
        foreach (var (id, label) in images.IdsAndLabels())
            if (withFeatures.Contains(id)) labelOf[id] = label;
        ids = ids.Where(labelOf.ContainsKey).ToArray(); // an image deleted since its features were listed
        var evaluationIds = images.EvaluationIds().Where(labelOf.ContainsKey).ToList();
        var isEvaluation = evaluationIds.ToHashSet();
        cancellationToken.ThrowIfCancellationRequested();
        var split = DatasetSplitter.Split(ids.Where(id => !isEvaluation.Contains(id)).Select(id => (id, labelOf[id])).ToList(), options);
        var size = new TrainingSize(ids.Length, split.TrainImageIds.Count, split.ValidationImageIds.Count, labelOf.Values.Distinct().Count(),
            features.Dimension, labelVectors.Encoder.Dimension);
        var plan = new TrainingPlan(options, size, progress, cancellationToken);
        var rows = new GalleryRows(ids, Read(ids, plan), labelOf);

        var trained = pipeline.Fit(rows, split, options, plan, size);
        var (history, embeddings) = (trained.History, trained.Embeddings);
        ImageEmbedder? embedder = trained.Embedder; // disposed here until the service takes it
        try
        {
            // Before the index is built: quantising NaN vectors is meaningless.
            FiniteModelCheck.ThrowIfDiverged(FiniteModelCheck.Problem(embedder.Head, embeddings));
            if (evaluationIds.Count > 0) log?.Invoke($"Evaluating on {evaluationIds.Count:N0} evaluation images (never trained on)");
            var measuring = plan.Begin(TrainingPass.Evaluation, EvaluationService.ProgressSteps);
            EvaluationReport report;
            using (var embedded = InProcessVectorIndex.Build(labelVectors.Encoder.Dimension, ids, embeddings))
                report = evaluation.Measure(embedded, rows.LabelOf, split, evaluationIds, history.LastOrDefault()?.ValidationLoss,
                    done => measuring.Report(done), cancellationToken);
            measuring.Complete();
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
            var saving = embedder;
            embedder = null; // the service owns it from here, whatever happens there
            return modelService.Publish(record, weights, ids, embeddings, saving, options.Activate, plan);
        }
        finally
        {
            embedder?.Dispose();
        }
    }

    /// <summary>The gallery's features as rows (the reading pass), in blocks.</summary>
    private float[][] Read(int[] ids, TrainingPlan plan)
    {
        var pass = plan.Begin(TrainingPass.Reading, ids.Length);
        var rows = new float[ids.Length][];
        for (int start = 0; start < ids.Length; start += ReadBlock)
        {
            var block = ids.AsSpan(start, Math.Min(ReadBlock, ids.Length - start)).ToArray();
            features.GetMany(block).CopyTo(rows, start);
            pass.Report(start + block.Length);
        }
        pass.Complete();
        return rows;
    }
}

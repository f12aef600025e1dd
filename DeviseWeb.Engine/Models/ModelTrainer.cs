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
    FeatureStore features, ImageRepository images, LabelVectors labelVectors, ModelRepository models, ModelService modelService)
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
        var rowOf = ids.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);
        var labelOf = gallery.ToDictionary(i => i.Id, i => i.Label);
        TrainingSet SetOf(IReadOnlyList<int> set) => new(set.Select(id => rows[rowOf[id]]).ToArray(), set.Select(id => vectorOf[labelOf[id]]).ToArray());

        var (head, history) = new HeadTrainer(DeviceChooser.Device).Train(SetOf(split.TrainImageIds), SetOf(split.ValidationImageIds), options, progress, cancellationToken);
        LoadedModel? model = null; // owns the head once created
        try
        {
            var embeddings = head.EmbedRows(rows, DeviceChooser.Device);
            EvaluationReport evaluation;
            using (var embedded = InProcessVectorIndex.Build(labelVectors.Encoder.Dimension, ids, embeddings))
            {
                evaluation = Evaluator.Evaluate(new EvaluationInput(embedded, labelOf, labels, labels.Select(l => vectorOf[l]).ToArray()),
                    split.ValidationImageIds, split.HeldOutImageIds, split.HeldOutLabels, history.LastOrDefault()?.ValidationLoss);
            }
            cancellationToken.ThrowIfCancellationRequested();

            var record = new ModelRecord
            {
                CreatedUtc = DateTime.UtcNow, Options = options, Backbone = features.Backbone, TextEncoder = labelVectors.Encoder.Name,
                Architecture = DeviseHead.Describe(features.Dimension, options.HiddenSize, labelVectors.Encoder.Dimension, options.Dropout),
                FeatureDimension = features.Dimension, EmbeddingDimension = labelVectors.Encoder.Dimension,
                Labels = labels, HeldOutLabels = [.. split.HeldOutLabels], TrainImageIds = [.. split.TrainImageIds],
                ValidationImageIds = [.. split.ValidationImageIds], HeldOutImageIds = [.. split.HeldOutImageIds],
                History = history, Evaluation = evaluation, DurationSeconds = clock.Elapsed.TotalSeconds, Completed = true,
            };
            var weights = head.SaveWeights();
            modelService.EnsureRoomForVersion(ids.Length, labelVectors.Encoder.Dimension, weights.Length);
            models.Add(record, weights);
            model = modelService.Create(record, ids, embeddings, head);
            if (options.Activate) modelService.Install(model);
            else model.Release();
            return ModelService.ToInfo(record, options.Activate);
        }
        catch
        {
            if (model is null) head.Dispose();
            else model.Release();
            throw;
        }
    }
}

using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using TorchSharp;

namespace DeviseWeb.Engine.Training.Methods;

/// <summary>The gallery's backbone features as rows, with each image's label.</summary>
internal sealed record GalleryRows(int[] Ids, float[][] Rows, IReadOnlyDictionary<int, string> LabelOf)
{
    private readonly Dictionary<int, int> _rowOf = RowsOf(Ids);

    public float[] Row(int id) => Rows[_rowOf[id]];

    /// <summary>The row an image's features are in.</summary>
    public int RowOf(int id) => _rowOf[id];

    public LabelledRows Of(IReadOnlyList<int> ids) => new(ids.Select(Row).ToArray(), ids.Select(id => LabelOf[id]).ToList());

    private static Dictionary<int, int> RowsOf(int[] ids)
    {
        var rows = new Dictionary<int, int>(ids.Length);
        for (int row = 0; row < ids.Length; row++) rows.Add(ids[row], row);
        return rows;
    }
}

/// <summary>What a run trained: the embedder (it owns the head), the learning curve, and the gallery embedded by it (a unit row per gallery row).</summary>
internal sealed record TrainedModel(ImageEmbedder Embedder, List<EpochMetrics> History, float[][] Embeddings);

/// <summary>
/// The training pipeline, read top to bottom in <see cref="Fit"/>, each step one method behind its own type:
/// <list type="number">
/// <item>targets: each label's text vector, mixed with its WordNet hypernyms (<see cref="LabelTargets"/>);</item>
/// <item>CORAL: the training features recoloured to the whole gallery's statistics, which is what the head will embed (<see cref="CoralMap"/>);</item>
/// <item>the head, trained through its mapping: DeViSE regresses the targets, ConSE classifies (<see cref="IEmbeddingMapping"/>);</item>
/// <item>the gallery through the head;</item>
/// <item>label transfer: each image blended with what its nearest training images map to (<see cref="LabelTransfer"/>).</item>
/// </list>
/// Each step is a pass of the run's <see cref="TrainingPlan"/>: reported with its own progress, and stopped by a cancel
/// within a block of its work. <see cref="Restore"/> builds the same embedder again for a stored version.
/// Evaluation-only images never reach the training rows or label transfer's reference (the split leaves them out);
/// CORAL reads the whole gallery's features, unlabelled, as a user's gallery would give them.
/// </summary>
public sealed class TrainingPipeline(LabelTargets targets, LabelVectors labelVectors, FeatureStore features)
{
    internal TrainedModel Fit(GalleryRows gallery, DatasetSplit split, TrainingOptions options, TrainingPlan plan, TrainingSize size)
    {
        var cancellationToken = plan.CancellationToken;
        var train = gallery.Of(split.TrainImageIds);
        var validation = gallery.Of(split.ValidationImageIds);
        var labels = gallery.LabelOf.Values.Distinct().Order(StringComparer.Ordinal).ToList();
        var targetsPass = plan.Begin(TrainingPass.Targets, labels.Count);
        var mapping = Mapping(options, labels, train.Labels, cancellationToken);
        targetsPass.Complete();
        var (alignedTrain, alignedValidation) = options.AlignFeatures ? Align(train, validation, gallery.Rows, plan) : (train, validation);
        var (head, history) = new HeadTrainer(DeviceChooser.Device).Train(mapping, alignedTrain, alignedValidation, options,
            plan.BeginEpochs(options, size), cancellationToken);
        LabelTransfer? transfer = null;
        try
        {
            var embedding = plan.Begin(TrainingPass.Embedding, gallery.Rows.Length);
            var embeddings = head.Map(gallery.Rows, DeviceChooser.Device, mapping.Embed, batchDone: done => embedding.Report(done), cancellationToken: cancellationToken);
            embedding.Complete();
            if (options.TransferWeight > 0)
            {
                var blending = plan.Begin(TrainingPass.LabelTransfer, gallery.Rows.Length);
                // The gallery is embedded from its own features, so the reference is the training images' own features
                // too, and what the head maps them to is their row of the gallery's embeddings.
                var reference = LabelTransfer.ReferenceIds(split.TrainImageIds).Select(gallery.RowOf).ToList();
                transfer = new LabelTransfer(reference.Select(r => gallery.Rows[r]).ToList(), reference.Select(r => embeddings[r]).ToList(), options.TransferWeight);
                embeddings = transfer.Blend(embeddings, gallery.Rows, done => blending.Report(done), cancellationToken);
                blending.Complete();
            }
            return new TrainedModel(new ImageEmbedder(head, mapping, transfer), history, embeddings);
        }
        catch
        {
            head.Dispose();
            transfer?.Dispose();
            throw;
        }
    }

    /// <summary>A stored version's embedder: its head with the saved weights, its mapping, and label transfer over its training images as they are now.</summary>
    internal ImageEmbedder Restore(ModelRecord record, byte[] weights, CancellationToken cancellationToken = default)
    {
        var mapping = record.Options.Mapping == MappingKind.ConSE
            ? new ConseMapping(record.ClassLabels, labelVectors.Get(record.ClassLabels, cancellationToken))
            : (IEmbeddingMapping)new DeviseMapping(record.EmbeddingDimension, new Dictionary<string, float[]>());
        var head = new DeviseHead(record.FeatureDimension, record.Options.HiddenSize, mapping.OutputSize, record.Options.Dropout);
        try
        {
            head.LoadWeights(weights);
            head.to(DeviceChooser.Device);
            head.eval();
            LabelTransfer? transfer = null;
            if (record.Options.TransferWeight > 0)
            {
                // Images deleted since training leave the reference, one deleted a moment ago too (read from one snapshot).
                var reference = features.FindMany(LabelTransfer.ReferenceIds(record.TrainImageIds)).OfType<float[]>().ToArray();
                if (reference.Length > 0)
                    transfer = new LabelTransfer(reference, head.Map(reference, DeviceChooser.Device, mapping.Embed, cancellationToken: cancellationToken),
                        record.Options.TransferWeight);
            }
            return new ImageEmbedder(head, mapping, transfer);
        }
        catch
        {
            head.Dispose();
            throw;
        }
    }

    /// <summary>The architecture line of a version: the head, its mapping and the methods around it.</summary>
    internal static string Describe(TrainingOptions options, IEmbeddingMapping mapping, int featureDimension)
    {
        var parts = new List<string> { mapping.Describe(DeviseHead.Describe(featureDimension, options.HiddenSize, mapping.OutputSize, options.Dropout)) };
        if (mapping.Kind == MappingKind.Devise && options.HypernymWeight > 0) parts.Add($"hypernym targets {options.HypernymWeight:0.##}");
        if (options.AlignFeatures) parts.Add("CORAL");
        if (options.TransferWeight > 0) parts.Add($"label transfer {options.TransferWeight:0.##} (k {LabelTransfer.Neighbours}, τ {LabelTransfer.Temperature:0.###})");
        return string.Join(" + ", parts);
    }

    /// <summary>DeViSE learns every label's target (hypernyms mixed in); ConSE classifies the training images' labels.</summary>
    private IEmbeddingMapping Mapping(TrainingOptions options, IReadOnlyList<string> labels, IReadOnlyList<string> trainLabels, CancellationToken cancellationToken)
    {
        if (options.Mapping == MappingKind.ConSE)
        {
            var classes = trainLabels.Distinct().Order(StringComparer.Ordinal).ToList();
            return new ConseMapping(classes, labelVectors.Get(classes, cancellationToken));
        }
        return new DeviseMapping(labelVectors.Encoder.Dimension, targets.For(labels, options.HypernymWeight, cancellationToken));
    }

    /// <summary>CORAL fitted from the labelled images (train and validation) to the whole gallery, applied to both.</summary>
    private static (LabelledRows Train, LabelledRows Validation) Align(LabelledRows train, LabelledRows validation, float[][] gallery, TrainingPlan plan)
    {
        var pass = plan.Begin(TrainingPass.Alignment, train.Count + validation.Count);
        if (train.Count < 2 || gallery.Length < 2)
        {
            pass.Complete(); // nothing to align: the pass is done, not left short of its end
            return (train, validation);
        }
        var coral = CoralMap.Fit([.. train.Features, .. validation.Features], gallery, plan.CancellationToken);
        var alignedTrain = coral.Apply(train.Features, done => pass.Report(done), plan.CancellationToken);
        var alignedValidation = coral.Apply(validation.Features, done => pass.Report(train.Count + done), plan.CancellationToken);
        pass.Complete();
        return (train with { Features = alignedTrain }, validation with { Features = alignedValidation });
    }
}

using System.Numerics.Tensors;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Models;

/// <summary>The rows a run reads: every gallery image's features, label and label target, and its augmented views as [view][row] when asked.</summary>
internal sealed record TrainingData(int[] Ids, float[][] Rows, IReadOnlyDictionary<int, string> LabelOf, IReadOnlyDictionary<string, float[]> TargetOf,
    float[][][]? Views = null)
{
    private readonly Dictionary<int, int> _rowOf = Ids.Select((id, row) => (id, row)).ToDictionary(p => p.id, p => p.row);

    public float[] Row(int id) => Rows[_rowOf[id]];

    /// <summary>The views of the given images only, so a set never sees the views of an image it leaves out (the photo evaluation's photos).</summary>
    public float[][][]? ViewsOf(IReadOnlyList<int> ids) => Views?.Select(view => ids.Select(id => view[_rowOf[id]]).ToArray()).ToArray();
}

/// <summary>
/// The gallery a head is adapted to and embeds: its images' features set the target statistics of CORAL and
/// per-domain normalisation, and <see cref="PoolIds"/> (images outside the run's split) are self-training's candidates.
/// </summary>
internal sealed record TargetDomain(IReadOnlyList<int> GalleryIds, IReadOnlyList<int> PoolIds);

/// <summary>
/// Trains one head of a run with its options: features aligned (CORAL) or normalised per domain when asked, a second
/// round with pseudo-labelled gallery images when self-training, then wrapped with its mapping. Each round is a pass
/// of the run's progress.
/// </summary>
internal sealed class HeadFitter(ImageEmbedderFactory embedders, TrainingOptions options, PassProgress progress)
{
    public TrainingOptions Options => options;

    /// <summary>Training passes one head takes on a domain.</summary>
    public static int Passes(TrainingOptions options, TargetDomain domain) => options.SelfTraining && domain.PoolIds.Count > 0 ? 2 : 1;

    public (ImageEmbedder Embedder, List<EpochMetrics> History, List<string> ClassLabels, DomainScaling? Scaling) Fit(TrainingData data,
        IReadOnlyList<int> trainIds, IReadOnlyList<int> validationIds, TargetDomain domain, bool photoEvaluation, CancellationToken cancellationToken)
    {
        var first = FitRound(data, trainIds, validationIds, domain, null, photoEvaluation, cancellationToken);
        if (Passes(options, domain) == 1) return first;
        Dictionary<int, string> pseudo;
        using (first.Embedder) pseudo = PseudoLabels(first.Embedder, data, domain.PoolIds, first.ClassLabels);
        return FitRound(data, trainIds, validationIds, domain, pseudo, photoEvaluation, cancellationToken);
    }

    private (ImageEmbedder Embedder, List<EpochMetrics> History, List<string> ClassLabels, DomainScaling? Scaling) FitRound(TrainingData data,
        IReadOnlyList<int> trainIds, IReadOnlyList<int> validationIds, TargetDomain domain, IReadOnlyDictionary<int, string>? pseudo,
        bool photoEvaluation, CancellationToken cancellationToken)
    {
        string LabelOf(int id) => pseudo is not null && pseudo.TryGetValue(id, out var label) ? label : data.LabelOf[id];
        var classLabels = trainIds.Select(id => data.LabelOf[id]).Distinct().Order(StringComparer.Ordinal).ToList();
        var classOf = classLabels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => (long)p.i, StringComparer.Ordinal);
        var fitIds = pseudo is null ? trainIds : [.. trainIds, .. pseudo.Keys.Order()];
        var trainRows = fitIds.Select(data.Row).ToArray();
        var validationRows = validationIds.Select(data.Row).ToArray();
        var galleryRows = domain.GalleryIds.Select(data.Row).ToArray();
        var views = data.ViewsOf(fitIds);
        if (options.AlignFeatures && trainRows.Length > 1 && galleryRows.Length > 1)
        {
            var coral = CoralMap.Fit([.. trainRows, .. validationRows], galleryRows);
            trainRows = coral.Apply(trainRows);
            validationRows = coral.Apply(validationRows);
            views = views?.Select(coral.Apply).ToArray();
        }
        DomainScaling? scaling = null;
        if (options.NormalizeDomains && galleryRows.Length > 1)
        {
            scaling = new DomainScaling { Training = FeatureScaling.Of(trainRows), Gallery = FeatureScaling.Of(galleryRows) };
            trainRows = scaling.Training.Apply(trainRows);
            validationRows = scaling.Training.Apply(validationRows);
            views = views?.Select(scaling.Training.Apply).ToArray();
        }
        bool classify = options.Mapping == MappingKind.ConSE;
        TrainingSet SetOf(IReadOnlyList<int> set, float[][] setRows) => new(setRows, set.Select(id => data.TargetOf[LabelOf(id)]).ToArray(),
            classify ? set.Select(id => classOf.GetValueOrDefault(LabelOf(id), 0)).ToArray() : null, classLabels.Count);
        // Validation images whose label has no training image (possible for tiny labels) have no class: ConSE leaves them out.
        var validationSet = classify ? validationIds.Where(id => classOf.ContainsKey(data.LabelOf[id])).ToList() : validationIds.ToList();
        var validationSetRows = classify ? validationIds.Select((id, i) => (id, i)).Where(p => classOf.ContainsKey(data.LabelOf[p.id])).Select(p => validationRows[p.i]).ToArray() : validationRows;
        var (head, history) = new HeadTrainer(DeviceChooser.Device).Train(SetOf(fitIds, trainRows) with { Views = views }, SetOf(validationSet, validationSetRows), options,
            progress.Next(photoEvaluation), cancellationToken);
        return (embedders.Create(head, options, classLabels, trainIds, scaling, cancellationToken), history, classLabels, scaling);
    }

    /// <summary>
    /// Self-training's pseudo-labels: each pool image's nearest training label by its embedding, kept for the half
    /// of the pool whose nearest label beats the second by the widest margin.
    /// </summary>
    internal static Dictionary<int, string> PseudoLabels(ImageEmbedder embedder, TrainingData data, IReadOnlyList<int> poolIds, IReadOnlyList<string> labels)
    {
        var embeddings = embedder.Embed(poolIds.Select(data.Row).ToList());
        var targets = labels.Select(l => VectorMath.Normalized(data.TargetOf[l])).ToArray();
        var guesses = poolIds.Select((id, i) =>
        {
            var cosines = targets.Select(t => TensorPrimitives.Dot(embeddings[i], t)).ToArray();
            var order = Enumerable.Range(0, cosines.Length).OrderByDescending(j => cosines[j]).Take(2).ToArray();
            float margin = order.Length > 1 ? cosines[order[0]] - cosines[order[1]] : cosines[order[0]];
            return (Id: id, Label: labels[order[0]], Margin: margin);
        }).ToList();
        return guesses.OrderByDescending(g => g.Margin).ThenBy(g => g.Id).Take(Math.Max(1, guesses.Count / 2)).ToDictionary(g => g.Id, g => g.Label);
    }
}

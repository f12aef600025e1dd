using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Models;

/// <summary>
/// Maps backbone features into the text space the way a model version was trained to: the DeViSE head's unit output,
/// or ConSE's convex combination of its top labels' vectors; then, with label transfer on, a blend with what the
/// nearest training images map to. With per-domain normalisation the head reads features standardised by the gallery's
/// statistics (the training images' own for label transfer's reference). Owns the head.
/// </summary>
internal sealed class ImageEmbedder : IDisposable
{
    private readonly DeviseHead _head;
    private readonly TrainingOptions _options;
    private readonly float[][]? _classVectors;
    private readonly DomainScaling? _scaling;
    private float[][]? _referenceFeatures, _referenceVectors;

    /// <param name="classVectors">ConSE: the text vector of each class the head outputs, in output order.</param>
    /// <param name="scaling">Per-domain normalisation, when the version was trained with it.</param>
    public ImageEmbedder(DeviseHead head, TrainingOptions options, float[][]? classVectors, DomainScaling? scaling = null)
    {
        if (options.Mapping == MappingKind.ConSE && classVectors is null) throw new ArgumentException("ConSE needs the class vectors.", nameof(classVectors));
        _head = head;
        _options = options;
        _classVectors = classVectors;
        _scaling = scaling;
    }

    public DomainScaling? Scaling => _scaling;

    public DeviseHead Head => _head;

    public bool NeedsReference => _options.TransferWeight > 0;

    /// <summary>Label transfer's reference: training images' features and their labels' text vectors.</summary>
    public void SetReference(IReadOnlyList<float[]> features, IReadOnlyList<float[]> labelVectors)
    {
        if (!NeedsReference || features.Count == 0) return;
        _referenceVectors = _options.TransferSource == TransferSource.LabelVectors ? [.. labelVectors] : EmbedHead(features, _scaling?.Training);
        _referenceFeatures = features.Select(f => VectorMath.Normalized(f)).ToArray();
    }

    /// <summary>Unit vectors for rows of features.</summary>
    public float[][] Embed(IReadOnlyList<float[]> features)
    {
        if (features.Count == 0) return [];
        var embeddings = EmbedHead(features, _scaling?.Gallery);
        if (_referenceFeatures is null || _referenceVectors is null) return embeddings;
        return TransferMath.Blend(embeddings, features.Select(f => VectorMath.Normalized(f)).ToArray(), _referenceFeatures, _referenceVectors,
            _options.TransferNeighbours, _options.TransferTemperature, _options.TransferWeight);
    }

    private float[][] EmbedHead(IReadOnlyList<float[]> features, FeatureScaling? scaling)
    {
        if (scaling is not null) features = scaling.Apply(features);
        if (_classVectors is null) return _head.EmbedRows(features, DeviceChooser.Device);
        return _head.ProbabilityRows(features, DeviceChooser.Device).Select(p => TransferMath.ConvexCombination(p, _classVectors, _options.ConseTop)).ToArray();
    }

    public void Dispose() => _head.Dispose();
}

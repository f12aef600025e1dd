using System.Globalization;
using System.Text.Json.Serialization;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;

namespace DeviseWeb.Engine.Training;

/// <summary>How a head maps an image into the text space.</summary>
public enum MappingKind
{
    /// <summary>DeViSE (Frome et al. 2013): the head regresses the label's text vector, loss 1 − cosine.</summary>
    Devise,
    /// <summary>
    /// ConSE (Norouzi et al. 2014): the head is a softmax classifier over the training labels, and an image's vector
    /// is the convex combination of its top-T labels' text vectors weighted by their probabilities.
    /// </summary>
    ConSE,
}

/// <summary>What label transfer averages over an image's nearest training images.</summary>
public enum TransferSource
{
    /// <summary>The head's own embeddings of the neighbours.</summary>
    HeadEmbeddings,
    /// <summary>The text vectors of the neighbours' labels.</summary>
    LabelVectors,
}

/// <summary>
/// Hyperparameters of one training run; saved with the model version it produces. Every option has a lower and an
/// upper bound (<see cref="Validate"/>, shared by the web app and the CLI), and JSON naming an option that does not
/// exist is refused rather than silently ignored.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TrainingOptions
{
    public const int MaxEpochs = 10_000;
    public const int MaxBatchSize = 65_536;
    public const int MaxHiddenSize = 16_384;
    public const int MaxHeldOutLabelCount = 10_000;
    public const int MaxHeldOutLabels = 1_000;
    public const int MaxHeldOutLabelChars = 200;
    public const double MaxLearningRate = 1;
    /// <summary>
    /// AdamW shrinks each weight by learningRate × weightDecay per step; with both at most 1 that factor stays in
    /// [0, 1], so decay can never blow the weights up (1e6 did: the loss went NaN).
    /// </summary>
    public const double MaxWeightDecay = 1;

    /// <summary>Passes over the training images. Default 30.</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Peak learning rate of the one-cycle schedule. Default 0.002.</summary>
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Images per step. Default 64.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>AdamW weight decay. Default 0.01.</summary>
    public double WeightDecay { get; init; } = 1e-2;
    /// <summary>Width of the hidden layer. Default 1024.</summary>
    public int HiddenSize { get; init; } = 1024;
    /// <summary>Dropout after the hidden layer. Default 0.2.</summary>
    public double Dropout { get; init; } = 0.2;
    /// <summary>Labels held out of training entirely, for zero-shot evaluation, chosen at random. Default 10.</summary>
    public int HeldOutLabelCount { get; init; } = 10;
    /// <summary>Labels to hold out by name, in addition to the random ones.</summary>
    public IReadOnlyList<string> HeldOutLabels { get; init; } = [];
    /// <summary>Share of each seen label's images used for validation. Default 0.25.</summary>
    public double ValidationFraction { get; init; } = 0.25;
    /// <summary>Seeds the split, the initial weights, dropout and shuffling. Default 42.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>DeViSE regression or ConSE classification. Default DeViSE.</summary>
    public MappingKind Mapping { get; init; } = MappingKind.Devise;
    /// <summary>ConSE: how many of the most probable labels an image's vector combines. Default 10.</summary>
    public int ConseTop { get; init; } = 10;
    /// <summary>
    /// Label transfer in feature space: an image's vector is blended with this weight with the softmax-weighted
    /// average (over backbone cosine / <see cref="TransferTemperature"/>) of what its <see cref="TransferNeighbours"/>
    /// nearest training images map to. 0 turns it off. Default 0.5: on the photo-transfer evaluation it lifted
    /// text search over real photographs by about 8 points without costing precision on the drawings (README).
    /// </summary>
    public double TransferWeight { get; init; } = 0.5;
    /// <summary>Label transfer: training images averaged per image. Default 10.</summary>
    public int TransferNeighbours { get; init; } = 10;
    /// <summary>Label transfer: softmax temperature over backbone cosines. Default 0.05.</summary>
    public double TransferTemperature { get; init; } = 0.05;
    /// <summary>Label transfer: average the neighbours' head embeddings or their labels' text vectors. Default head embeddings.</summary>
    public TransferSource TransferSource { get; init; } = TransferSource.HeadEmbeddings;
    /// <summary>
    /// Richer targets: weight of the mean of the label's WordNet hypernym vectors (2 levels) in its target. 0 turns it
    /// off. Default 0.3: with label transfer it scored best on the photo-transfer evaluation (README).
    /// </summary>
    public double HypernymWeight { get; init; } = 0.3;
    /// <summary>Richer targets: the label's text as encoded for training, "{0}" standing for the label (e.g. "a photo of a {0}"). Default "{0}".</summary>
    public string TargetTemplate { get; init; } = "{0}";
    /// <summary>
    /// CORAL: recolour the training features to the whole gallery's mean and covariance before training. Default true:
    /// with label transfer and hypernym targets it scored best on the photo-transfer evaluation of the demo (README).
    /// </summary>
    public bool AlignFeatures { get; init; } = true;
    /// <summary>
    /// Per-domain normalisation: the head trains on features standardised by the training images' own per-dimension
    /// mean and spread, and embeds the gallery standardised by the gallery's. Default false.
    /// </summary>
    public bool NormalizeDomains { get; init; }
    /// <summary>
    /// Self-training: after a first head, the more confident half of the gallery images outside the run's split (in the
    /// photo evaluation, the photographs) get their nearest training label as a pseudo-label, and a second head trains
    /// with them. Doubles training time. Default false.
    /// </summary>
    public bool SelfTraining { get; init; }
    /// <summary>
    /// Augmented features: each epoch every training image uses its original features or one of its first this many
    /// cached augmented views (the views job computes them), picked by the run's seeded generator. Validation and
    /// embedding use the original features. 0 turns it off. Default 0.
    /// </summary>
    public int AugmentedViews { get; init; }
    /// <summary>Augmented features: the views composited on white or on crops of the gallery's scene photographs. Default white.</summary>
    public ViewBackground ViewBackground { get; init; } = ViewBackground.White;
    /// <summary>Hubness correction (CSLS, k = 10) in the photo evaluation's text→image ranking. Default false.</summary>
    public bool HubnessCorrection { get; init; }
    /// <summary>
    /// Photo-transfer evaluation: retrain with the same options without the gallery's photographs (files named
    /// photo-* or scene-*) and measure text search on them. Doubles the training time when the gallery has photos. Default true.
    /// </summary>
    public bool EvaluatePhotos { get; init; } = true;
    /// <summary>Activate the new model when training finishes. Default true.</summary>
    public bool Activate { get; init; } = true;

    /// <summary>One message per option out of bounds, each starting with the option's name.</summary>
    public IEnumerable<string> Validate()
    {
        if (Epochs is < 1 or > MaxEpochs) yield return $"Epochs must be between 1 and {MaxEpochs} (got {Epochs}).";
        if (!double.IsFinite(LearningRate) || LearningRate is <= 0 or > MaxLearningRate)
            yield return $"LearningRate must be greater than 0 and at most {MaxLearningRate} (got {Show(LearningRate)}).";
        if (BatchSize is < 1 or > MaxBatchSize) yield return $"BatchSize must be between 1 and {MaxBatchSize} (got {BatchSize}).";
        if (!double.IsFinite(WeightDecay) || WeightDecay is < 0 or > MaxWeightDecay)
            yield return $"WeightDecay must be between 0 and {MaxWeightDecay} (got {Show(WeightDecay)}).";
        if (HiddenSize is < 1 or > MaxHiddenSize) yield return $"HiddenSize must be between 1 and {MaxHiddenSize} (got {HiddenSize}).";
        if (!double.IsFinite(Dropout) || Dropout is < 0 or >= 1) yield return $"Dropout must be at least 0 and less than 1 (got {Show(Dropout)}).";
        if (HeldOutLabelCount is < 0 or > MaxHeldOutLabelCount)
            yield return $"HeldOutLabelCount must be between 0 and {MaxHeldOutLabelCount} (got {HeldOutLabelCount}).";
        if (HeldOutLabels is null || HeldOutLabels.Count > MaxHeldOutLabels)
            yield return $"HeldOutLabels may name at most {MaxHeldOutLabels} labels.";
        else if (HeldOutLabels.Any(l => l is null || l.Length > MaxHeldOutLabelChars))
            yield return $"HeldOutLabels: each label must be given and at most {MaxHeldOutLabelChars} characters long.";
        if (!double.IsFinite(ValidationFraction) || ValidationFraction is < 0 or >= 1)
            yield return $"ValidationFraction must be at least 0 and less than 1 (got {Show(ValidationFraction)}).";
        if (!Enum.IsDefined(Mapping)) yield return "Mapping must be Devise or ConSE.";
        if (ConseTop is < 1 or > 1000) yield return $"ConseTop must be between 1 and 1000 (got {ConseTop}).";
        if (!double.IsFinite(TransferWeight) || TransferWeight is < 0 or > 1) yield return $"TransferWeight must be between 0 and 1 (got {Show(TransferWeight)}).";
        if (TransferNeighbours is < 1 or > 1000) yield return $"TransferNeighbours must be between 1 and 1000 (got {TransferNeighbours}).";
        if (!double.IsFinite(TransferTemperature) || TransferTemperature is <= 0 or > 10)
            yield return $"TransferTemperature must be greater than 0 and at most 10 (got {Show(TransferTemperature)}).";
        if (!Enum.IsDefined(TransferSource)) yield return "TransferSource must be HeadEmbeddings or LabelVectors.";
        if (!double.IsFinite(HypernymWeight) || HypernymWeight is < 0 or >= 1)
            yield return $"HypernymWeight must be at least 0 and less than 1 (got {Show(HypernymWeight)}).";
        if (AugmentedViews is < 0 or > FeatureViewStore.MaxViews)
            yield return $"AugmentedViews must be between 0 and {FeatureViewStore.MaxViews} (got {AugmentedViews}).";
        if (!Enum.IsDefined(ViewBackground)) yield return "ViewBackground must be White or Scenes.";
        if (TargetTemplate is null || !TargetTemplate.Contains("{0}", StringComparison.Ordinal) || TargetTemplate.Length > 200)
            yield return "TargetTemplate must contain {0} (the label) and be at most 200 characters.";
        else if (TargetTemplate.Replace("{0}", "", StringComparison.Ordinal).IndexOfAny(['{', '}']) >= 0)
            yield return "TargetTemplate may hold no braces other than {0}.";
    }

    private static string Show(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text.Json.Serialization;

namespace DeviseWeb.Engine.Training;

/// <summary>How a head maps an image into the text space (<see cref="Methods.IEmbeddingMapping"/>).</summary>
public enum MappingKind
{
    /// <summary>DeViSE (Frome et al. 2013): the head regresses the label's text vector, loss 1 − cosine.</summary>
    Devise,
    /// <summary>
    /// ConSE (Norouzi et al. 2014): the head is a softmax classifier over the training labels, and an image's vector
    /// is the convex combination of its top 10 labels' text vectors weighted by their probabilities.
    /// </summary>
    ConSE,
}

/// <summary>
/// The options of one training run a user sets; saved with the model version it produces. Knobs nobody tuned are
/// constants of their method (label transfer's neighbours and temperature, ConSE's top labels, weight decay, the
/// validation share). Every option has a lower and an upper bound (<see cref="Validate"/>, shared by the web app and
/// the CLI), and JSON naming an option that does not exist is refused rather than silently ignored.
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

    /// <summary>Passes over the training images. Default 30.</summary>
    public int Epochs { get; init; } = 30;
    /// <summary>Peak learning rate of the one-cycle schedule. Default 0.002.</summary>
    public double LearningRate { get; init; } = 2e-3;
    /// <summary>Images per step. Default 64.</summary>
    public int BatchSize { get; init; } = 64;
    /// <summary>Width of the hidden layer. Default 1024.</summary>
    public int HiddenSize { get; init; } = 1024;
    /// <summary>Dropout after the hidden layer. Default 0.2.</summary>
    public double Dropout { get; init; } = 0.2;
    /// <summary>Labels held out of training entirely, for zero-shot evaluation, chosen at random. Default 10.</summary>
    public int HeldOutLabelCount { get; init; } = 10;
    /// <summary>Labels to hold out by name, in addition to the random ones.</summary>
    public IReadOnlyList<string> HeldOutLabels { get; init; } = [];
    /// <summary>Seeds the split, the initial weights, dropout and shuffling. Default 42.</summary>
    public int Seed { get; init; } = 42;
    /// <summary>DeViSE regression or ConSE classification. Default DeViSE.</summary>
    public MappingKind Mapping { get; init; } = MappingKind.Devise;
    /// <summary>
    /// Label transfer: weight of what an image's 10 nearest training images map to in its vector. 0 turns it off.
    /// Default 0.5: it lifted text search over the evaluation photographs most of any method (docs/methods.md).
    /// </summary>
    public double TransferWeight { get; init; } = 0.5;
    /// <summary>
    /// Broader-word targets: weight of the mean of the label's WordNet hypernym vectors (2 levels) in its DeViSE target.
    /// 0 turns it off. Default 0.3 (docs/methods.md).
    /// </summary>
    public double HypernymWeight { get; init; } = 0.3;
    /// <summary>CORAL: recolour the training features to the whole gallery's mean and covariance before training. Default true (docs/methods.md).</summary>
    public bool AlignFeatures { get; init; } = true;
    /// <summary>Activate the new model when training finishes. Default true.</summary>
    public bool Activate { get; init; } = true;

    /// <summary>One message per option out of bounds, each starting with the option's name.</summary>
    public IEnumerable<string> Validate()
    {
        if (Epochs is < 1 or > MaxEpochs) yield return $"Epochs must be between 1 and {MaxEpochs} (got {Epochs}).";
        if (!double.IsFinite(LearningRate) || LearningRate is <= 0 or > MaxLearningRate)
            yield return $"LearningRate must be greater than 0 and at most {MaxLearningRate} (got {Show(LearningRate)}).";
        if (BatchSize is < 1 or > MaxBatchSize) yield return $"BatchSize must be between 1 and {MaxBatchSize} (got {BatchSize}).";
        if (HiddenSize is < 1 or > MaxHiddenSize) yield return $"HiddenSize must be between 1 and {MaxHiddenSize} (got {HiddenSize}).";
        if (!double.IsFinite(Dropout) || Dropout is < 0 or >= 1) yield return $"Dropout must be at least 0 and less than 1 (got {Show(Dropout)}).";
        if (HeldOutLabelCount is < 0 or > MaxHeldOutLabelCount)
            yield return $"HeldOutLabelCount must be between 0 and {MaxHeldOutLabelCount} (got {HeldOutLabelCount}).";
        if (HeldOutLabels is null || HeldOutLabels.Count > MaxHeldOutLabels)
            yield return $"HeldOutLabels may name at most {MaxHeldOutLabels} labels.";
        else if (HeldOutLabels.Any(l => l is null || l.Length > MaxHeldOutLabelChars))
            yield return $"HeldOutLabels: each label must be given and at most {MaxHeldOutLabelChars} characters long.";
        if (!Enum.IsDefined(Mapping)) yield return "Mapping must be Devise or ConSE.";
        if (!double.IsFinite(TransferWeight) || TransferWeight is < 0 or > 1) yield return $"TransferWeight must be between 0 and 1 (got {Show(TransferWeight)}).";
        if (!double.IsFinite(HypernymWeight) || HypernymWeight is < 0 or >= 1)
            yield return $"HypernymWeight must be at least 0 and less than 1 (got {Show(HypernymWeight)}).";
    }

    private static string Show(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}

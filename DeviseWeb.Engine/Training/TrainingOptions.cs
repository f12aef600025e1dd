namespace DeviseWeb.Engine.Training;

/// <summary>Hyperparameters of one training run; saved with the model version it produces.</summary>
public sealed record TrainingOptions
{
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
    /// <summary>Activate the new model when training finishes. Default true.</summary>
    public bool Activate { get; init; } = true;

    public IEnumerable<string> Validate()
    {
        if (Epochs is < 1 or > 10_000) yield return "Epochs must be between 1 and 10000.";
        if (LearningRate is <= 0 or > 1) yield return "Learning rate must be in (0, 1].";
        if (BatchSize is < 1 or > 65_536) yield return "Batch size must be between 1 and 65536.";
        if (HiddenSize is < 1 or > 16_384) yield return "Hidden size must be between 1 and 16384.";
        if (Dropout is < 0 or >= 1) yield return "Dropout must be in [0, 1).";
        if (HeldOutLabelCount < 0) yield return "Held-out label count cannot be negative.";
        if (ValidationFraction is < 0 or >= 1) yield return "Validation fraction must be in [0, 1).";
        if (WeightDecay < 0) yield return "Weight decay cannot be negative.";
    }
}

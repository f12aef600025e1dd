using static TorchSharp.torch;

namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// How the head's output becomes a point in the text space, and so what the head learns to output: the seam
/// between the two mappings the Training page offers (<see cref="MappingKind"/>). The training loop and the
/// embedder ask it for targets, a loss and unit vectors; neither knows which mapping it holds.
/// </summary>
public interface IEmbeddingMapping
{
    MappingKind Kind { get; }

    /// <summary>Width of the head's output.</summary>
    int OutputSize { get; }

    /// <summary>ConSE's classes (the training images' labels, ordinal), in output order; empty for DeViSE.</summary>
    IReadOnlyList<string> ClassLabels { get; }

    /// <summary>Whether a row with this label can be a training or validation row (ConSE knows only its classes).</summary>
    bool CanLearn(string label);

    /// <summary>The training targets of rows with these labels, as one tensor on the device.</summary>
    Tensor Targets(IReadOnlyList<string> labels, Device device);

    Tensor Loss(Tensor output, Tensor targets);

    /// <summary>Unit vectors in the text space for a batch of head outputs.</summary>
    Tensor Embed(Tensor output);

    /// <summary>The architecture line of a version with this mapping around <paramref name="head"/>.</summary>
    string Describe(string head);
}

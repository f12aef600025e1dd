using TorchSharp;
using static TorchSharp.torch;

namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// DeViSE (Frome et al. 2013): the head regresses each label's target vector (<see cref="LabelTargets"/>) with
/// loss 1 − cosine, and its normalised output is the image's vector.
/// </summary>
public sealed class DeviseMapping : IEmbeddingMapping
{
    private readonly IReadOnlyDictionary<string, float[]> _targetOf;

    /// <param name="targetOf">Each label's target vector; empty when the mapping only embeds (a stored version).</param>
    public DeviseMapping(int dimension, IReadOnlyDictionary<string, float[]> targetOf)
    {
        OutputSize = dimension;
        _targetOf = targetOf;
    }

    public MappingKind Kind => MappingKind.Devise;
    public int OutputSize { get; }
    public IReadOnlyList<string> ClassLabels => [];

    public bool CanLearn(string label) => _targetOf.ContainsKey(label);

    public Tensor Targets(IReadOnlyList<string> labels, Device device) =>
        TensorRows.ToTensor(labels.Select(l => _targetOf[l]).ToList(), OutputSize).to(device, disposeAfter: true);

    /// <summary>1 − the mean cosine, computed as −mean + 1 with a scalar made and disposed here (<see cref="Optimization.AdamW"/> says why).</summary>
    public Tensor Loss(Tensor output, Tensor targets)
    {
        using var one = 1.ToScalar();
        return nn.functional.cosine_similarity(output, targets, dim: 1).mean().negative().add_(one, one);
    }

    public Tensor Embed(Tensor output) => nn.functional.normalize(output, p: 2, dim: 1);

    public string Describe(string head) => head;
}

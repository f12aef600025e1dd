using static TorchSharp.torch;

namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// ConSE (Norouzi et al. 2014): the head is a softmax classifier over the training labels (cross-entropy), and an
/// image's vector is the convex combination of its <see cref="Top"/> most probable labels' text vectors, weighted by
/// their renormalised probabilities.
/// </summary>
public sealed class ConseMapping : IEmbeddingMapping
{
    /// <summary>Labels an image's vector combines: 10, as the paper's best setting; nobody tuned it here.</summary>
    public const int Top = 10;

    private readonly Dictionary<string, long> _classOf;
    private readonly float[][] _classVectors;

    /// <param name="classLabels">The classes, in output order.</param>
    /// <param name="classVectors">Each class's text vector, in the same order.</param>
    public ConseMapping(IReadOnlyList<string> classLabels, float[][] classVectors)
    {
        if (classLabels.Count != classVectors.Length) throw new ArgumentException("One text vector per class.", nameof(classVectors));
        ClassLabels = classLabels;
        _classVectors = classVectors;
        _classOf = classLabels.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => (long)p.i, StringComparer.Ordinal);
    }

    public MappingKind Kind => MappingKind.ConSE;
    public int OutputSize => ClassLabels.Count;
    public IReadOnlyList<string> ClassLabels { get; }

    public bool CanLearn(string label) => _classOf.ContainsKey(label);

    public Tensor Targets(IReadOnlyList<string> labels, Device device) => tensor(labels.Select(l => _classOf[l]).ToArray()).to(device, disposeAfter: true);

    public Tensor Loss(Tensor output, Tensor targets) => nn.functional.cross_entropy(output, targets);

    public Tensor Embed(Tensor output)
    {
        using var scope = NewDisposeScope();
        var (probabilities, classes) = nn.functional.softmax(output, 1).topk(Math.Min(Top, OutputSize), dim: 1);
        var weights = probabilities / probabilities.sum(1, keepdim: true);
        var vectors = TensorRows.ToTensor(_classVectors, _classVectors[0].Length).to(output.device);
        var combined = (weights.unsqueeze(2) * vectors.index_select(0, classes.flatten()).view(classes.shape[0], classes.shape[1], -1)).sum(1);
        return nn.functional.normalize(combined, p: 2, dim: 1).MoveToOuterDisposeScope();
    }

    public string Describe(string head) => $"ConSE(top {Top}) over {head}";
}

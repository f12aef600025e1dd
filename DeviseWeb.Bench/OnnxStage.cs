using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DeviseWeb.Bench;

/// <summary>
/// A stretch of an ONNX backbone (the nodes from one tensor to another) as TorchSharp operations over its own weights,
/// so it can be trained: Conv (trainable weight), BatchNormalization (trainable scale and shift, running statistics
/// frozen, as fine-tuning with small batches wants), Relu and Add. Enough for ResNet's last stage.
/// </summary>
internal sealed class OnnxStage : nn.Module<Tensor, Tensor>
{
    private readonly IReadOnlyList<OnnxNode> _nodes;
    private readonly string _input, _output;
    private readonly Dictionary<string, Tensor> _weights = new(StringComparer.Ordinal);

    public OnnxStage(byte[] model, string input, string output) : base(nameof(OnnxStage))
    {
        (_input, _output) = (input, output);
        var all = OnnxProto.Nodes(model);
        int first = all.ToList().FindIndex(n => n.Inputs.Contains(input));
        int last = all.ToList().FindIndex(n => n.Outputs.Contains(output));
        if (first < 0 || last < first) throw new InvalidDataException($"No nodes from {input} to {output}.");
        _nodes = all.Skip(first).Take(last - first + 1).ToList();
        if (_nodes.FirstOrDefault(n => n.Op is not ("Conv" or "BatchNormalization" or "Relu" or "Add")) is { } unsupported)
            throw new InvalidDataException($"OnnxStage: unsupported operator {unsupported.Op}.");
        var produced = _nodes.SelectMany(n => n.Outputs).Append(input).ToHashSet(StringComparer.Ordinal);
        var names = _nodes.SelectMany(n => n.Inputs).Where(i => !produced.Contains(i)).ToHashSet(StringComparer.Ordinal);
        var initializers = OnnxProto.Initializers(model, names);
        var frozen = _nodes.Where(n => n.Op == "BatchNormalization").SelectMany(n => n.Inputs.Skip(3)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var (dims, data) = initializers[name];
            var tensor = torch.tensor(data, dims);
            if (frozen.Contains(name))
            {
                register_buffer(Safe(name), tensor);
                _weights[name] = tensor;
            }
            else
            {
                var parameter = new Parameter(tensor, requires_grad: true);
                register_parameter(Safe(name), parameter);
                _weights[name] = parameter;
            }
        }
    }

    public int Operators => _nodes.Count;

    public override Tensor forward(Tensor x)
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal) { [_input] = x };
        foreach (var node in _nodes)
        {
            Tensor In(int i) => values[node.Inputs[i]];
            Tensor W(int i) => _weights[node.Inputs[i]];
            values[node.Outputs[0]] = node.Op switch
            {
                "Conv" => Conv(In(0), W(1), node),
                "BatchNormalization" => F.batch_norm(In(0), W(3), W(4), W(1), W(2), training: false, momentum: 0.1, eps: 1e-5),
                "Relu" => F.relu(In(0)),
                _ => In(0) + In(1),
            };
        }
        return values[_output];
    }

    /// <summary>ONNX pads are (top, left, bottom, right); an asymmetric one is padded explicitly first.</summary>
    private static Tensor Conv(Tensor input, Tensor weight, OnnxNode node)
    {
        long[] strides = node.Ints.GetValueOrDefault("strides") ?? [1, 1];
        long[] pads = node.Ints.GetValueOrDefault("pads") ?? [0, 0, 0, 0];
        if (pads[0] == pads[2] && pads[1] == pads[3]) return F.conv2d(input, weight, null, strides, [pads[0], pads[1]]);
        return F.conv2d(F.pad(input, [pads[1], pads[3], pads[0], pads[2]]), weight, null, strides, [0, 0]);
    }

    private static string Safe(string name) => name.Replace('.', '_');
}

namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>
/// Rewrites a float model (BatchNormalizations already folded) into ONNX's QDQ form: each quantized tensor passes
/// through QuantizeLinear → DequantizeLinear (uint8, asymmetric, range from calibration), each Conv's weight is int8
/// symmetric per output channel and its bias int32. ONNX Runtime then fuses DQ → Conv → Q into QLinearConv and
/// DQ, DQ → Add → Q into QLinearAdd, so every Conv and residual Add runs in int8. A Relu after
/// a quantized operator is dropped: the Q that follows it uses the Relu's range, which starts at 0, so it clamps
/// negatives exactly as the Relu did.
/// </summary>
internal static class QdqQuantizer
{
    /// <summary>Per-channel DequantizeLinear (axis) needs opset 13, and opset 13 needs IR version 7.</summary>
    private const long Opset = 13, IrVersion = 7;

    public static void Quantize(OnnxModel model, ActivationRanges ranges)
    {
        var quantized = model.Nodes.Where(n => n.Op is "Conv" or "Add").ToHashSet();
        DropRelus(model, quantized);
        var rangeOf = new Dictionary<string, TensorRange>(StringComparer.Ordinal);
        foreach (var node in model.Nodes.Where(quantized.Contains))
            foreach (var tensor in node.Inputs.Take(node.Op == "Conv" ? 1 : 2).Concat(node.Outputs))
                rangeOf[tensor] = ranges[tensor];
        // MaxPool picks values, so its output keeps its input's scale: ONNX Runtime then runs it on uint8, Q and DQ dropped.
        foreach (var pool in model.Nodes.Where(n => n.Op == "MaxPool" && rangeOf.ContainsKey(n.Inputs[0]) && rangeOf.ContainsKey(n.Outputs[0])))
            rangeOf[pool.Outputs[0]] = rangeOf[pool.Inputs[0]];

        var scales = rangeOf.ToDictionary(p => p.Key, p => Activation(p.Value), StringComparer.Ordinal);
        var dequantized = new Dictionary<string, string>(StringComparer.Ordinal);
        var nodes = new List<GraphNode>();
        foreach (var input in model.Inputs.Where(i => scales.ContainsKey(i.Name))) AddQdq(model, nodes, input.Name, scales[input.Name], dequantized);
        foreach (var node in model.Nodes)
        {
            for (int i = 0; i < node.Inputs.Count; i++) node.Inputs[i] = dequantized.GetValueOrDefault(node.Inputs[i], node.Inputs[i]);
            if (quantized.Contains(node) && node.Op == "Conv") QuantizeWeights(model, nodes, node, scales[Original(node.Inputs[0])].Scale);
            nodes.Add(node);
            foreach (var output in node.Outputs.Where(scales.ContainsKey)) AddQdq(model, nodes, output, scales[output], dequantized);
        }
        model.Nodes.Clear();
        model.Nodes.AddRange(nodes);
        model.Opset = Opset;
        model.IrVersion = IrVersion;
        model.KeepValueInfo = false;
    }

    private static string Original(string dequantized) => dequantized.EndsWith(DequantizedSuffix, StringComparison.Ordinal)
        ? dequantized[..^DequantizedSuffix.Length] : dequantized;

    private const string DequantizedSuffix = "_dequantized";

    private static void DropRelus(OnnxModel model, HashSet<GraphNode> quantized)
    {
        foreach (var relu in model.Nodes.Where(n => n.Op == "Relu").ToList())
        {
            var producer = model.Nodes.SingleOrDefault(n => n.Outputs.Contains(relu.Inputs[0]));
            if (producer is null || !quantized.Contains(producer) || model.Consumers(relu.Inputs[0]).Count() != 1) continue;
            producer.Outputs[0] = relu.Outputs[0];
            model.Nodes.Remove(relu);
        }
    }

    private static (float Scale, byte ZeroPoint) Activation(TensorRange range)
    {
        float min = Math.Min(range.Min, 0f), max = Math.Max(range.Max, 0f);
        float scale = max > min ? (max - min) / 255f : 1f;
        return (scale, (byte)Math.Clamp(MathF.Round(-min / scale), 0, 255));
    }

    private static void AddQdq(OnnxModel model, List<GraphNode> nodes, string tensor, (float Scale, byte ZeroPoint) q, Dictionary<string, string> dequantized)
    {
        string scale = tensor + "_scale", zeroPoint = tensor + "_zero_point", quantized = tensor + "_quantized";
        model.Initializers[scale] = GraphTensor.Of(scale, [], [q.Scale]);
        model.Initializers[zeroPoint] = GraphTensor.Of(zeroPoint, [], [q.ZeroPoint]);
        nodes.Add(new GraphNode("QuantizeLinear", [tensor, scale, zeroPoint], [quantized]) { Name = quantized });
        nodes.Add(new GraphNode("DequantizeLinear", [quantized, scale, zeroPoint], [tensor + DequantizedSuffix]) { Name = tensor + DequantizedSuffix });
        dequantized[tensor] = tensor + DequantizedSuffix;
    }

    /// <summary>Weights int8 in [-127, 127] with one scale per output channel; bias int32 at input scale × weight scale.</summary>
    private static void QuantizeWeights(OnnxModel model, List<GraphNode> nodes, GraphNode conv, float inputScale)
    {
        var weight = model.Initializers[conv.Inputs[1]];
        int channels = (int)weight.Dims[0];
        var (q, scales) = Weights(weight.Floats(), channels);
        conv.Inputs[1] = AddPerChannelDq(model, nodes, weight.Name, GraphTensor.Of(weight.Name + "_quantized", weight.Dims, q), scales,
            GraphTensor.Of(weight.Name + "_zero_point", [channels], new sbyte[channels]));
        model.Initializers.Remove(weight.Name);
        if (conv.Inputs.Count < 3) return;
        var bias = model.Initializers[conv.Inputs[2]];
        var b = bias.Floats();
        var biasScales = scales.Select(s => s * inputScale).ToArray();
        var qb = b.Select((v, c) => (int)Math.Clamp(Math.Round((double)v / biasScales[c]), int.MinValue, int.MaxValue)).ToArray();
        conv.Inputs[2] = AddPerChannelDq(model, nodes, bias.Name, GraphTensor.Of(bias.Name + "_quantized", bias.Dims, qb), biasScales,
            GraphTensor.Of(bias.Name + "_zero_point", [channels], new int[channels]));
        model.Initializers.Remove(bias.Name);
    }

    /// <summary>A Conv weight as int8 in [-127, 127] and one scale per output channel (its largest magnitude / 127).</summary>
    public static (sbyte[] Values, float[] Scales) Weights(float[] weight, int channels)
    {
        int perChannel = weight.Length / channels;
        var q = new sbyte[weight.Length];
        var scales = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            var slice = weight.AsSpan(c * perChannel, perChannel);
            float absMax = 0;
            foreach (float v in slice) absMax = Math.Max(absMax, Math.Abs(v));
            scales[c] = absMax > 0 ? absMax / 127f : 1f;
            for (int k = 0; k < perChannel; k++) q[c * perChannel + k] = (sbyte)Math.Clamp(MathF.Round(slice[k] / scales[c]), -127, 127);
        }
        return (q, scales);
    }

    private static string AddPerChannelDq(OnnxModel model, List<GraphNode> nodes, string name, GraphTensor quantized, float[] scales, GraphTensor zeroPoint)
    {
        string scale = name + "_scale", output = name + DequantizedSuffix;
        model.Initializers[quantized.Name] = quantized;
        model.Initializers[scale] = GraphTensor.Of(scale, [scales.Length], scales);
        model.Initializers[zeroPoint.Name] = zeroPoint;
        var dq = new GraphNode("DequantizeLinear", [quantized.Name, scale, zeroPoint.Name], [output]) { Name = output };
        dq.Attributes.Add(NodeAttribute.Int("axis", 0));
        nodes.Add(dq);
        return output;
    }
}

namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>
/// Folds each BatchNormalization that follows a Conv into the Conv's weights and bias. ONNX Runtime does this itself
/// for a float model, but not once the weights come through DequantizeLinear, so the quantizer needs it done first.
/// </summary>
internal static class BatchNormFolding
{
    public static int Fold(OnnxModel model)
    {
        int folded = 0;
        foreach (var norm in model.Nodes.Where(n => n.Op == "BatchNormalization").ToList())
        {
            var conv = model.Nodes.SingleOrDefault(n => n.Op == "Conv" && n.Outputs[0] == norm.Inputs[0]);
            if (conv is null || model.Consumers(conv.Outputs[0]).Count() != 1 || model.Consumers(conv.Inputs[1]).Count() != 1 || norm.Inputs.Skip(1).Any(i => !model.Initializers.ContainsKey(i)))
                continue;
            float epsilon = norm.Attribute("epsilon")?.Float ?? 1e-5f;
            var (gamma, beta, mean, variance) = (Floats(model, norm, 1), Floats(model, norm, 2), Floats(model, norm, 3), Floats(model, norm, 4));
            var weight = model.Initializers[conv.Inputs[1]];
            var w = weight.Floats();
            var bias = conv.Inputs.Count > 2 ? model.Initializers[conv.Inputs[2]].Floats() : new float[gamma.Length];
            int perChannel = w.Length / gamma.Length;
            for (int c = 0; c < gamma.Length; c++)
            {
                // In double, so the folded model matches the float one as closely as the float rounding allows.
                double factor = gamma[c] / Math.Sqrt((double)variance[c] + epsilon);
                for (int k = c * perChannel; k < (c + 1) * perChannel; k++) w[k] = (float)(w[k] * factor);
                bias[c] = (float)((bias[c] - mean[c]) * factor + beta[c]);
            }
            string biasName = conv.Outputs[0] + "_folded_bias";
            model.Initializers[weight.Name] = GraphTensor.Of(weight.Name, weight.Dims, w);
            model.Initializers[biasName] = GraphTensor.Of(biasName, [gamma.Length], bias);
            if (conv.Inputs.Count > 2) conv.Inputs[2] = biasName; else conv.Inputs.Add(biasName);
            conv.Outputs[0] = norm.Outputs[0];
            model.Nodes.Remove(norm);
            foreach (var unused in norm.Inputs.Skip(1).Where(i => !model.Consumers(i).Any())) model.Initializers.Remove(unused);
            folded++;
        }
        model.KeepValueInfo = false;
        return folded;
    }

    private static float[] Floats(OnnxModel model, GraphNode node, int input) => model.Initializers[node.Inputs[input]].Floats();
}

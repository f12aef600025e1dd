using DeviseWeb.Engine.Features.Quantization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DeviseWeb.Bench;

/// <summary>
/// Runs the float backbone (BatchNormalization folded, reading raw pixels, every activation an output) over the calibration inputs and
/// keeps each activation's min and max over all of them. Clipping outliers instead (each image's 0.01% tails dropped,
/// the bounds averaged over images) measured worse: docs/int8-backbone.md.
/// </summary>
internal static class Int8Calibration
{
    public static ActivationRanges Measure(byte[] floatModel, byte[] preprocessModel, IReadOnlyList<DenseTensor<float>> inputs)
    {
        var (model, tensors) = Int8Backbone.CalibrationModel(floatModel, preprocessModel);
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC };
        using var session = new InferenceSession(model, options);
        string input = session.InputMetadata.Keys.First();
        var outputs = session.OutputMetadata.Keys.ToList();
        var ranges = tensors.ToDictionary(t => t, _ => new TensorRange(float.MaxValue, float.MinValue));
        foreach (var tensor in inputs)
        {
            Widen(input, tensor.Buffer.Span);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor(input, tensor)], outputs);
            foreach (var result in results) Widen(result.Name, result.AsTensor<float>().ToDenseTensor().Buffer.Span);
        }
        return new ActivationRanges(ActivationRanges.Sha256(floatModel), ActivationRanges.Sha256(preprocessModel), "minmax", inputs.Count, ranges);

        void Widen(string name, ReadOnlySpan<float> values)
        {
            var (low, high) = ranges[name];
            foreach (float v in values) { low = Math.Min(low, v); high = Math.Max(high, v); }
            ranges[name] = new TensorRange(low, high);
        }
    }
}

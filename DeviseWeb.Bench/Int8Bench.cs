using System.Diagnostics;
using DeviseWeb.Cli;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Features.Quantization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DeviseWeb.Bench;

/// <summary>
/// <c>--only int8</c>: the int8 backbone made from the packaged float and preprocessing models and the committed ranges,
/// measured against the float model on the images in --images: feature cosine and nearest-neighbour agreement on --limit images that
/// calibration did not use, then throughput. Ranges come from --ranges (default: the committed ones, beside the model
/// in the build output); <c>--calibrate FILE</c> measures them again on 200 other images, writes FILE and uses it.
/// </summary>
internal static class Int8Bench
{
    private const int CalibrationImages = 200;

    public static void Run(CliArguments cli, BenchReport report, CancellationToken cancellationToken)
    {
        using var probe = CliHost.Build(cli); // options only: nothing opens a store
        var options = probe.Services.GetRequiredService<EngineOptions>();
        string images = cli.Get("--images") ?? "data/demo";
        var inputs = Int8Inputs.Load(options, images, CalibrationImages, cli.GetInt("--limit", 600));
        report.Note($"int8: {inputs.Calibration.Count} calibration and {inputs.Evaluation.Count} evaluation images from {images}");
        cancellationToken.ThrowIfCancellationRequested();

        var floatModel = File.ReadAllBytes(options.BackboneModelPath);
        var preprocessModel = File.ReadAllBytes(options.PreprocessModelPath);
        string rangesPath = cli.Get("--ranges") ?? Int8Backbone.DefaultRangesPath(options.BackboneModelPath);
        if (cli.Get("--calibrate") is { } calibrated)
        {
            Int8Calibration.Measure(floatModel, preprocessModel, inputs.Calibration).Save(rangesPath = calibrated);
            report.Note($"int8: ranges written to {rangesPath}");
        }
        var ranges = ActivationRanges.Load(rangesPath);
        var clock = Stopwatch.StartNew();
        var int8Model = Int8Backbone.Build(floatModel, preprocessModel, ranges);
        double buildSeconds = clock.Elapsed.TotalSeconds;
        report.Figures("int8_model", new
        {
            ranges = ranges.Method, build_s = buildSeconds,
            float_mb = BenchMath.Megabytes(floatModel.Length), int8_mb = BenchMath.Megabytes(int8Model.Length),
            fused = FusedOperators(int8Model),
        });
        report.Figures("int8_quality", Int8Quality.Measure(floatModel, inputs.EvaluationPreprocessed, int8Model, inputs.Evaluation, inputs.EvaluationFiles));
        int speedImages = cli.GetInt("--speed-images", 96);
        if (speedImages == 0) return;
        cancellationToken.ThrowIfCancellationRequested();
        var models = new Dictionary<string, (byte[], byte[], IReadOnlyList<DenseTensor<float>>)>
        {
            ["fp32"] = (floatModel, Int8Backbone.DynamicBatch(floatModel), inputs.EvaluationPreprocessed.Take(speedImages).ToList()),
            ["int8"] = (int8Model, Int8Backbone.Build(floatModel, preprocessModel, ranges, dynamicBatch: true), inputs.Evaluation.Take(speedImages).ToList()),
        };
        report.Figures("int8_speed", Int8Speed.Measure(models, cli.GetInt("--rounds", 3)));
    }

    /// <summary>The operators ONNX Runtime runs after its graph optimisations: QLinearConv where the QDQ fusion worked.</summary>
    private static string FusedOperators(byte[] model)
    {
        string path = Path.Combine(Path.GetTempPath(), $"devise-int8-optimized-{Environment.ProcessId}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = path })
            using (new InferenceSession(model, options)) { }
            return string.Join(" ", OnnxModel.Read(File.ReadAllBytes(path)).Nodes.GroupBy(n => n.Op).Select(g => $"{g.Key}:{g.Count()}"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}

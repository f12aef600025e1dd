using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DeviseWeb.Bench;

/// <summary>
/// The backbone's inputs for the int8 bench, made as the extractor makes them (the engine's loader, which composites
/// transparency onto white, its resize): the raw planar RGB 0–255 pixels the int8 model takes, and for the float model
/// the same after the packaged preprocessing model. The images are split once: every
/// n-th file calibrates, an evenly spaced sample of the others evaluates, so no evaluated image was calibrated on.
/// </summary>
internal sealed class Int8Inputs
{
    /// <summary>Raw pixels of the calibration images.</summary>
    public required IReadOnlyList<DenseTensor<float>> Calibration { get; init; }
    /// <summary>Raw pixels of the evaluation images (the int8 model's input).</summary>
    public required IReadOnlyList<DenseTensor<float>> Evaluation { get; init; }
    /// <summary>The evaluation images preprocessed (the float model's input).</summary>
    public required IReadOnlyList<DenseTensor<float>> EvaluationPreprocessed { get; init; }
    public required IReadOnlyList<string> EvaluationFiles { get; init; }

    public static Int8Inputs Load(EngineOptions options, string directory, int calibrationCount, int evaluationCount)
    {
        var files = BenchDataset.List(directory, int.MaxValue);
        if (files.Count < calibrationCount + evaluationCount)
            throw new InvalidOperationException($"{directory} has {files.Count} images; the int8 bench needs {calibrationCount + evaluationCount}.");
        var calibration = Spaced(files, calibrationCount);
        var rest = files.Except(calibration).ToList();
        var evaluation = Spaced(rest, evaluationCount);
        var loader = new SafeImageLoader(DecodeLimits.From(options));
        using var preprocess = new InferenceSession(options.PreprocessModelPath);
        string input = preprocess.InputMetadata.Keys.First();
        DenseTensor<float> Raw(string file)
        {
            using var image = loader.Load(file);
            return OnnxFeatureExtractor.ToPlanarRgb(image.Pixels, options.BackboneInputSize);
        }
        DenseTensor<float> Prepare(DenseTensor<float> planar)
        {
            lock (preprocess)
            {
                using var result = preprocess.Run([NamedOnnxValue.CreateFromTensor(input, planar)]);
                return result.First().AsTensor<float>().ToDenseTensor();
            }
        }
        var evaluationRaw = evaluation.AsParallel().AsOrdered().Select(Raw).ToList();
        return new Int8Inputs
        {
            Calibration = calibration.AsParallel().AsOrdered().Select(Raw).ToList(),
            Evaluation = evaluationRaw,
            EvaluationPreprocessed = evaluationRaw.Select(Prepare).ToList(),
            EvaluationFiles = evaluation,
        };
    }

    private static List<string> Spaced(IReadOnlyList<string> files, int count) =>
        Enumerable.Range(0, count).Select(i => files[(int)((long)i * files.Count / count)]).ToList();

    /// <summary>Consecutive inputs stacked along the batch dimension.</summary>
    public static DenseTensor<float> Batch(IReadOnlyList<DenseTensor<float>> inputs, int start, int count)
    {
        int size = (int)inputs[0].Length;
        var batch = new DenseTensor<float>([count, .. inputs[0].Dimensions[1..]]);
        for (int i = 0; i < count; i++) inputs[start + i].Buffer.Span.CopyTo(batch.Buffer.Span.Slice(i * size, size));
        return batch;
    }
}

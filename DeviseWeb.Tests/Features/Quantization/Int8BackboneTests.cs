using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Features.Quantization;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace DeviseWeb.Tests.Features.Quantization;

public sealed class Int8BackboneTests
{
    private static readonly EngineOptions Options = new();
    private static readonly byte[] FloatModel = File.ReadAllBytes(Options.BackboneModelPath);
    private static readonly byte[] PreprocessModel = File.ReadAllBytes(Options.PreprocessModelPath);
    private static readonly ActivationRanges Ranges = ActivationRanges.Load(Int8Backbone.DefaultRangesPath(Options.BackboneModelPath));

    [Fact]
    public void Build_SameModelAndRangesTwice_GivesIdenticalBytes()
    {
        var first = Int8Backbone.Build(FloatModel, PreprocessModel, Ranges);
        var second = Int8Backbone.Build(FloatModel, PreprocessModel, Ranges);

        Assert.Equal(first, second);
        Assert.InRange(first.Length, FloatModel.Length / 5, FloatModel.Length / 3);
    }

    [Fact]
    public void Build_RangesMeasuredOnAnotherModel_Throws()
    {
        var stale = Ranges with { ModelSha256 = new string('0', 64) };

        var error = Assert.Throws<InvalidDataException>(() => Int8Backbone.Build(FloatModel, PreprocessModel, stale));

        Assert.Contains("another backbone model", error.Message);
        Assert.Contains("calibrate again", error.Message);
    }

    [Fact]
    public void EnsureFile_AnotherFloatModelBesideTheRanges_RefusesNamingTheCure()
    {
        string directory = Directory.CreateTempSubdirectory("int8-test").FullName;
        try
        {
            string other = Path.Combine(directory, "ResNet18.onnx");
            var bytes = FloatModel.ToArray();
            bytes[^1] ^= 1; // another model: the ranges' sha256 no longer matches (checked before the model is parsed)
            File.WriteAllBytes(other, bytes);

            var error = Assert.Throws<InvalidDataException>(() =>
                Int8Backbone.EnsureFile(other, Options.PreprocessModelPath, Int8Backbone.DefaultRangesPath(Options.BackboneModelPath), directory));

            Assert.Contains("measured on another backbone model", error.Message);
            Assert.Contains("--calibrate", error.Message);
            Assert.False(File.Exists(Path.Combine(directory, "ResNet18-int8.onnx")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Build_RangesMeasuredWithAnotherPreprocessing_Throws()
    {
        var stale = Ranges with { PreprocessSha256 = new string('0', 64) };

        var error = Assert.Throws<InvalidDataException>(() => Int8Backbone.Build(FloatModel, PreprocessModel, stale));

        Assert.Contains("another preprocessing model", error.Message);
    }

    [Fact]
    public void Build_PreprocessingOtherThanChannelSwapAndMean_Throws()
    {
        var error = Assert.Throws<InvalidDataException>(() => Int8Backbone.CalibrationModel(FloatModel, FloatModel));

        Assert.Contains("packaged preprocessing", error.Message);
    }

    [Fact]
    public void Build_OnnxRuntimeFusesEveryConvAndAdd()
    {
        string optimized = Path.Combine(Path.GetTempPath(), $"int8-test-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, OptimizedModelFilePath = optimized })
            using (new InferenceSession(Int8Backbone.Build(FloatModel, PreprocessModel, Ranges), options)) { }

            var ops = OnnxModel.Read(File.ReadAllBytes(optimized)).Nodes.GroupBy(n => n.Op).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(22, ops.GetValueOrDefault("QLinearConv"));
            Assert.DoesNotContain("Conv", ops.Keys);
            Assert.Equal(9, ops.GetValueOrDefault("QLinearAdd"));
        }
        finally
        {
            File.Delete(optimized);
        }
    }

    [Fact]
    public void CalibrationModel_RawPixelsIn_KeepsTheFloatFeatureOfThePreprocessedImage()
    {
        var pixels = new DenseTensor<float>(Enumerable.Range(0, 3 * 224 * 224).Select(i => (float)(i * 7919 % 256)).ToArray(), [1, 3, 224, 224]);

        var expected = Run(FloatModel, Run(PreprocessModel, pixels), [1, 3, 224, 224]);
        var rewritten = Run(Int8Backbone.CalibrationModel(FloatModel, PreprocessModel).Model, pixels);

        // Not exact: the first Conv's weights are rounded to their int8 values before the mean image's term is computed.
        Assert.True(VectorMath.Cosine(expected, rewritten) > 0.999f, $"cosine {VectorMath.Cosine(expected, rewritten)}");
    }

    [Fact]
    public void Extract_Int8Backbone_StaysCloseToTheFloatFeature()
    {
        string directory = Directory.CreateTempSubdirectory("int8-test").FullName;
        try
        {
            string int8 = Int8Backbone.EnsureFile(Options.BackboneModelPath, Options.PreprocessModelPath, Int8Backbone.DefaultRangesPath(Options.BackboneModelPath), directory);
            using var floatExtractor = new OnnxFeatureExtractor(Options.BackboneModelPath, Options.PreprocessModelPath, 224, 1);
            using var int8Extractor = new OnnxFeatureExtractor(int8, preprocessPath: null, 224, 1);
            using var image = new SafeImageLoader(50L << 20, 40_000_000).Load(TestData.DemoImage("bear", "photo-bear.png"));

            float cosine = VectorMath.Cosine(floatExtractor.Extract(image), int8Extractor.Extract(image));

            Assert.True(cosine > 0.99f, $"cosine {cosine}");
            Assert.NotEqual(floatExtractor.Name, int8Extractor.Name);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static float[] Run(byte[] model, float[] input, int[] dims) => Run(model, new DenseTensor<float>(input, dims));

    private static float[] Run(byte[] model, DenseTensor<float> input)
    {
        using var session = new InferenceSession(model);
        using var result = session.Run([NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(), input)]);
        return result.First().AsEnumerable<float>().ToArray();
    }
}

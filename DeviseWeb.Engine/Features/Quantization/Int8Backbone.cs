namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>
/// Makes the int8 backbone from the packaged float model, its preprocessing model and the committed calibration ranges
/// (<see cref="ActivationRanges"/>), deterministically and without images: fold BatchNormalization into Conv, move the
/// preprocessing behind the first Conv (<see cref="RawPixelInput"/>), then rewrite to QDQ (<see cref="QdqQuantizer"/>).
/// The int8 model takes the planar RGB 0–255 pixels themselves: run it with no preprocessing model.
/// </summary>
public static class Int8Backbone
{
    /// <summary>Ends the int8 model's file name (before .onnx), and so the name of the features it makes.</summary>
    public const string FileSuffix = "-int8";

    /// <summary>The committed ranges, copied beside the packaged float model.</summary>
    public static string DefaultRangesPath(string floatModelPath) => Path.ChangeExtension(floatModelPath, ".int8-ranges.json");

    public static byte[] Build(byte[] floatModel, byte[] preprocessModel, ActivationRanges ranges, bool dynamicBatch = false)
    {
        ranges.Check(floatModel, preprocessModel);
        var (model, firstConv) = RawPixelModel(floatModel, preprocessModel);
        QdqQuantizer.Quantize(model, ranges.With(model.Inputs.Single().Name, RawPixelInput.PixelRange)
            .With(firstConv, ranges[firstConv] with { Min = 0 }));
        if (dynamicBatch) model.MakeBatchDynamic();
        return model.ToBytes();
    }

    /// <summary>
    /// Writes the int8 model into <paramref name="directory"/> unless an identical one is there, and returns its path.
    /// Its name differs from the float model's, so features of the two never share a column.
    /// </summary>
    public static string EnsureFile(string floatModelPath, string preprocessModelPath, string rangesPath, string directory)
    {
        if (!File.Exists(rangesPath))
            throw new FileNotFoundException($"The int8 backbone needs calibration ranges for {Path.GetFileName(floatModelPath)} at {rangesPath}: measure them with DeviseWeb.Bench --only int8 --calibrate FILE, or run the backbone in Float.", rangesPath);
        var bytes = Build(File.ReadAllBytes(floatModelPath), File.ReadAllBytes(preprocessModelPath), ActivationRanges.Load(rangesPath));
        string path = Path.Combine(Directory.CreateDirectory(directory).FullName, Path.GetFileNameWithoutExtension(floatModelPath) + FileSuffix + ".onnx");
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) return path;
        string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>
    /// The float model as calibration runs it: BatchNormalization folded, reading raw pixels (the tensor names the
    /// ranges use) and every node's output a graph output, so one run shows every activation.
    /// </summary>
    public static (byte[] Model, IReadOnlyList<string> Tensors) CalibrationModel(byte[] floatModel, byte[] preprocessModel)
    {
        var (model, _) = RawPixelModel(floatModel, preprocessModel);
        var tensors = model.Inputs.Select(i => i.Name).Concat(model.Nodes.SelectMany(n => n.Outputs)).Distinct().ToList();
        model.AddOutputs(tensors.Skip(model.Inputs.Count));
        return (model.ToBytes(), tensors);
    }

    /// <summary>The float model with a symbolic batch dimension (and nothing else changed), to compare batched runs.</summary>
    public static byte[] DynamicBatch(byte[] floatModel)
    {
        var model = OnnxModel.Read(floatModel);
        model.MakeBatchDynamic();
        return model.ToBytes();
    }

    private static (OnnxModel Model, string FirstConv) RawPixelModel(byte[] floatModel, byte[] preprocessModel)
    {
        var model = OnnxModel.Read(floatModel);
        BatchNormFolding.Fold(model);
        string firstConv = RawPixelInput.Apply(model, RawPixelInput.Read(preprocessModel));
        return (model, firstConv);
    }
}

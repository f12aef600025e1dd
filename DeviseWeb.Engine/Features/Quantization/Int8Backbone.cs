namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>
/// Makes the int8 backbone from the packaged float model and the committed calibration ranges (<see cref="ActivationRanges"/>),
/// deterministically and without images: fold BatchNormalization into Conv, then rewrite to QDQ (<see cref="QdqQuantizer"/>).
/// </summary>
public static class Int8Backbone
{
    /// <summary>The committed ranges, copied beside the packaged float model.</summary>
    public static string DefaultRangesPath(string floatModelPath) => Path.ChangeExtension(floatModelPath, ".int8-ranges.json");

    public static byte[] Build(byte[] floatModel, ActivationRanges ranges, QuantizationPlan? plan = null, bool dynamicBatch = false)
    {
        string sha = ActivationRanges.Sha256(floatModel);
        if (!string.Equals(sha, ranges.ModelSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"The calibration ranges were measured on another model (sha256 {ranges.ModelSha256}, this one {sha}): calibrate again.");
        var model = OnnxModel.Read(floatModel);
        BatchNormFolding.Fold(model);
        QdqQuantizer.Quantize(model, ranges, plan ?? new QuantizationPlan());
        if (dynamicBatch) model.MakeBatchDynamic();
        return model.ToBytes();
    }

    /// <summary>
    /// Writes the int8 model into <paramref name="directory"/> unless an identical one is there, and returns its path.
    /// Its name differs from the float model's, so features of the two never share a cache entry.
    /// </summary>
    public static string EnsureFile(string floatModelPath, string rangesPath, string directory, QuantizationPlan? plan = null)
    {
        var bytes = Build(File.ReadAllBytes(floatModelPath), ActivationRanges.Load(rangesPath), plan);
        string path = Path.Combine(Directory.CreateDirectory(directory).FullName, Path.GetFileNameWithoutExtension(floatModelPath) + "-int8.onnx");
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes)) return path;
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>
    /// The float model as calibration runs it: BatchNormalization folded (the tensor names the ranges use) and every
    /// node's output a graph output, so one run shows every activation.
    /// </summary>
    public static (byte[] Model, IReadOnlyList<string> Tensors) CalibrationModel(byte[] floatModel)
    {
        var model = OnnxModel.Read(floatModel);
        BatchNormFolding.Fold(model);
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
}

using System.Security.Cryptography;
using System.Text.Json;

namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>The range one tensor took over the calibration images.</summary>
public sealed record TensorRange(float Min, float Max);

/// <summary>
/// What calibration measured for one float model and its preprocessing: the range of every activation the int8 model
/// quantizes, by tensor name (names of the model as <see cref="Int8Backbone.CalibrationModel"/> makes it). Small
/// enough to commit; with the packaged models it is all <see cref="Int8Backbone"/> needs, so the int8 model is made
/// without images. The two models' sha256 tie it to them: the ranges of another model would quantize it wrongly.
/// </summary>
public sealed record ActivationRanges(string ModelSha256, string PreprocessSha256, string Method, int Images, IReadOnlyDictionary<string, TensorRange> Ranges)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static ActivationRanges Load(string path) =>
        JsonSerializer.Deserialize<ActivationRanges>(File.ReadAllBytes(path), Json) ?? throw new InvalidDataException($"Empty ranges file: {path}");

    public void Save(string path) => File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, Json));

    public static string Sha256(ReadOnlySpan<byte> model) => Convert.ToHexStringLower(SHA256.HashData(model));

    /// <summary>Throws unless these ranges were measured on these two models.</summary>
    public void Check(ReadOnlySpan<byte> floatModel, ReadOnlySpan<byte> preprocessModel)
    {
        string sha = Sha256(floatModel), preprocessSha = Sha256(preprocessModel);
        if (!string.Equals(sha, ModelSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"The int8 calibration ranges were measured on another backbone model (sha256 {ModelSha256}, this one {sha}): calibrate again for this model (DeviseWeb.Bench --only int8 --calibrate FILE).");
        if (!string.Equals(preprocessSha, PreprocessSha256, StringComparison.OrdinalIgnoreCase))
            throw new InvalidDataException($"The int8 calibration ranges were measured with another preprocessing model (sha256 {PreprocessSha256}, this one {preprocessSha}): calibrate again for it (DeviseWeb.Bench --only int8 --calibrate FILE).");
    }

    public TensorRange this[string tensor] => Ranges.TryGetValue(tensor, out var range) ? range
        : throw new InvalidDataException($"The calibration ranges have no entry for tensor {tensor}: calibrate again for this model.");

    /// <summary>These ranges with one tensor's range set.</summary>
    internal ActivationRanges With(string tensor, TensorRange range) =>
        this with { Ranges = new Dictionary<string, TensorRange>(Ranges, StringComparer.Ordinal) { [tensor] = range } };
}

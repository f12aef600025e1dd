using System.Security.Cryptography;
using System.Text.Json;

namespace DeviseWeb.Engine.Features.Quantization;

/// <summary>The range one tensor took over the calibration images.</summary>
public sealed record TensorRange(float Min, float Max);

/// <summary>
/// What calibration measured for one float model: the range of every activation the int8 model quantizes, by tensor
/// name (names of the model with its BatchNormalizations folded). Small enough to commit; with the packaged float model
/// it is all <see cref="Int8Backbone"/> needs, so the int8 model is made without images.
/// </summary>
public sealed record ActivationRanges(string ModelSha256, string Method, int Images, IReadOnlyDictionary<string, TensorRange> Ranges)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static ActivationRanges Load(string path) =>
        JsonSerializer.Deserialize<ActivationRanges>(File.ReadAllBytes(path), Json) ?? throw new InvalidDataException($"Empty ranges file: {path}");

    public void Save(string path) => File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, Json));

    public static string Sha256(ReadOnlySpan<byte> model) => Convert.ToHexStringLower(SHA256.HashData(model));

    public TensorRange this[string tensor] => Ranges.TryGetValue(tensor, out var range) ? range
        : throw new InvalidDataException($"The calibration ranges have no entry for tensor {tensor}: calibrate again for this model.");
}

namespace DeviseWeb.Engine.Text;

/// <summary>Text vectors of label names, encoded once each and kept in a bounded cache (labels come and go with renames).</summary>
public sealed class LabelVectors(Lazy<ITextEncoder> encoder)
{
    private const int Capacity = 100_000;
    private readonly BoundedCache<string, float[]> _cache = new(Capacity, StringComparer.Ordinal);

    public ITextEncoder Encoder => encoder.Value;

    /// <summary>One unit vector per label, in the given order.</summary>
    public float[][] Get(IReadOnlyList<string> labels, CancellationToken cancellationToken = default) =>
        _cache.GetOrMakeMany(labels, missing => Encoder.Encode(missing, cancellationToken));
}

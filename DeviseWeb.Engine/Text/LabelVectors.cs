namespace DeviseWeb.Engine.Text;

/// <summary>Text vectors of label names, encoded once each and kept in a bounded cache (labels come and go with renames).</summary>
public sealed class LabelVectors(Lazy<ITextEncoder> encoder)
{
    private const int Capacity = 100_000;
    private readonly BoundedCache<string, float[]> _cache = new(Capacity, StringComparer.Ordinal);

    public ITextEncoder Encoder => encoder.Value;

    /// <summary>One unit vector per label, in the given order.</summary>
    public float[][] Get(IReadOnlyList<string> labels, CancellationToken cancellationToken = default)
    {
        var result = new float[labels.Count][];
        var missing = new List<int>();
        for (int i = 0; i < labels.Count; i++)
            if (_cache.TryGet(labels[i], out var vector)) result[i] = vector;
            else missing.Add(i);
        if (missing.Count == 0) return result;
        var phrases = missing.Select(i => labels[i]).Distinct(StringComparer.Ordinal).ToArray();
        var encoded = Encoder.Encode(phrases, cancellationToken);
        for (int i = 0; i < phrases.Length; i++) _cache.Set(phrases[i], encoded[i]);
        var byPhrase = phrases.Zip(encoded).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        foreach (var i in missing) result[i] = byPhrase[labels[i]];
        return result;
    }
}

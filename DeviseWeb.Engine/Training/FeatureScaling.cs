using System.Numerics.Tensors;

namespace DeviseWeb.Engine.Training;

/// <summary>
/// Per-dimension standardisation of backbone features with one domain's statistics: per-domain normalisation
/// gives drawings and photographs each their own mean and spread, so the head reads both on one scale.
/// A plain class with settable arrays so the store can save it with the model version.
/// </summary>
public sealed class FeatureScaling
{
    public float[] Mean { get; set; } = [];
    public float[] Scale { get; set; } = [];

    /// <summary>The rows' mean and standard deviation per dimension (a dimension that never varies keeps scale 1).</summary>
    public static FeatureScaling Of(IReadOnlyList<float[]> rows)
    {
        int width = rows[0].Length;
        var mean = new double[width];
        var square = new double[width];
        foreach (var row in rows)
            for (int d = 0; d < width; d++)
            {
                mean[d] += row[d];
                square[d] += (double)row[d] * row[d];
            }
        var scaling = new FeatureScaling { Mean = new float[width], Scale = new float[width] };
        for (int d = 0; d < width; d++)
        {
            double m = mean[d] / rows.Count, variance = Math.Max(0, square[d] / rows.Count - m * m);
            scaling.Mean[d] = (float)m;
            scaling.Scale[d] = variance > 1e-12 ? (float)Math.Sqrt(variance) : 1f;
        }
        return scaling;
    }

    public float[] Apply(ReadOnlySpan<float> row)
    {
        var result = new float[row.Length];
        TensorPrimitives.Subtract(row, Mean, result);
        TensorPrimitives.Divide(result, Scale, result);
        return result;
    }

    public float[][] Apply(IReadOnlyList<float[]> rows) => rows.Select(r => Apply(r)).ToArray();
}

/// <summary>A version's per-domain normalisation: the training images' scaling for them, the gallery's for everything it embeds.</summary>
public sealed class DomainScaling
{
    public FeatureScaling Training { get; set; } = new();
    public FeatureScaling Gallery { get; set; } = new();
}

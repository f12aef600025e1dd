using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace DeviseWeb.Engine.Training.Methods;

/// <summary>
/// CORAL (Sun et al. 2016) as a fitted affine map, x ↦ (x − μs)·Cs^-½·Ct^½ + μt: source rows whitened by their own
/// covariance and recoloured with the target's, means moved to the target's, so second-order statistics match.
/// Both covariances get +1 on the diagonal, as in the paper. Training fits it from the labelled images' features to
/// the whole gallery's (the gallery is what the head will embed) and trains on the mapped features.
/// </summary>
public sealed class CoralMap
{
    /// <summary>Rows whose statistics are estimated, at most: enough for a 512×512 covariance, and a million-image gallery is never copied whole to float64.</summary>
    public const int SampleRows = 50_000;

    private const int Batch = 8192;
    private readonly float[] _map, _shift;
    private readonly int _width;

    private CoralMap(float[] map, float[] shift, int width) => (_map, _shift, _width) = (map, shift, width);

    /// <summary>
    /// The map from <paramref name="source"/>'s statistics to <paramref name="target"/>'s, each from at most
    /// <see cref="SampleRows"/> evenly spaced rows. The covariances are summed a block of rows at a time, with a check for
    /// a cancel before each block and each decomposition, so a cancel stops the fit within a fraction of a second.
    /// </summary>
    public static CoralMap Fit(IReadOnlyList<float[]> source, IReadOnlyList<float[]> target, CancellationToken cancellationToken = default)
    {
        using var scope = NewDisposeScope();
        int width = source[0].Length;
        var (sMean, sCovariance) = Moments(Sample(source), width, cancellationToken);
        var (tMean, tCovariance) = Moments(Sample(target), width, cancellationToken);
        cancellationToken.ThrowIfCancellationRequested();
        var whiten = MatrixPower(sCovariance, -0.5);
        cancellationToken.ThrowIfCancellationRequested();
        var map = whiten.mm(MatrixPower(tCovariance, 0.5));
        var shift = tMean - sMean.mm(map);
        return new CoralMap(map.to(float32).contiguous().data<float>().ToArray(), shift.to(float32).contiguous().data<float>().ToArray(), width);
    }

    /// <summary>The rows mapped, in float32 batches; <paramref name="batchDone"/> hears the rows done after each, and a cancel is checked before each.</summary>
    public float[][] Apply(IReadOnlyList<float[]> rows, Action<int>? batchDone = null, CancellationToken cancellationToken = default)
    {
        var result = new float[rows.Count][];
        using var scope = NewDisposeScope();
        var map = tensor(_map, [_width, _width]);
        var shift = tensor(_shift, [1, _width]);
        using var one = 1.ToScalar();
        for (int start = 0; start < rows.Count; start += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using (var batchScope = NewDisposeScope())
            {
                int count = Math.Min(Batch, rows.Count - start);
                TensorRows.ToRows(TensorRows.ToTensor(VectorMath.Slice(rows, start, count), _width).mm(map).add_(shift, one)).CopyTo(result, start);
            }
            batchDone?.Invoke(Math.Min(rows.Count, start + Batch));
        }
        return result;
    }

    private static IReadOnlyList<float[]> Sample(IReadOnlyList<float[]> rows) => EvenlySpaced.Take(rows, SampleRows);

    /// <summary>Mean and covariance (+1 on the diagonal) in float64, the rows read a block at a time.</summary>
    private static (Tensor Mean, Tensor Covariance) Moments(IReadOnlyList<float[]> rows, int width, CancellationToken cancellationToken)
    {
        using var one = 1.ToScalar();
        using var count = Math.Max(1, rows.Count).ToScalar();
        using var degrees = Math.Max(1, rows.Count - 1).ToScalar();
        var sum = zeros([1, width], dtype: float64);
        for (int start = 0; start < rows.Count; start += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var block = NewDisposeScope();
            sum.add_(Block(rows, start, width).sum([0], keepdim: true), one);
        }
        var mean = sum.div(count);
        var scatter = zeros([width, width], dtype: float64);
        for (int start = 0; start < rows.Count; start += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var block = NewDisposeScope();
            var centred = Block(rows, start, width) - mean;
            scatter.add_(centred.t().mm(centred), one);
        }
        return (mean, scatter.div(degrees).add_(eye(width, dtype: float64), one));
    }

    private static Tensor Block(IReadOnlyList<float[]> rows, int start, int width)
    {
        return TensorRows.ToTensor(VectorMath.Slice(rows, start, Math.Min(Batch, rows.Count - start)), width).to(float64);
    }

    private static Tensor MatrixPower(Tensor symmetric, double power)
    {
        using var floor = 1e-9.ToScalar();
        using var exponent = power.ToScalar();
        var (values, vectors) = linalg.eigh(symmetric);
        return vectors.mm(diag(values.clamp_min(floor).pow(exponent))).mm(vectors.t());
    }
}

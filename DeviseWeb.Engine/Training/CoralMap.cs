using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace DeviseWeb.Engine.Training;

/// <summary>
/// CORAL's affine map, x ↦ (x − μs)·Cs^-½·Ct^½ + μt, fitted once on the training images' features and applied to
/// them and to their augmented views alike.
/// </summary>
public sealed class CoralMap
{
    private const int Batch = 8192;
    private readonly float[] _map, _shift;
    private readonly int _width;

    private CoralMap(float[] map, float[] shift, int width) => (_map, _shift, _width) = (map, shift, width);

    public static CoralMap Fit(IReadOnlyList<float[]> source, IReadOnlyList<float[]> target)
    {
        using var scope = NewDisposeScope();
        int width = source[0].Length;
        var (sMean, sCovariance) = TransferMath.Moments(TensorRows.ToTensor(TransferMath.Sample(source), width).to(float64));
        var (tMean, tCovariance) = TransferMath.Moments(TensorRows.ToTensor(TransferMath.Sample(target), width).to(float64));
        var map = TransferMath.MatrixPower(sCovariance, -0.5).mm(TransferMath.MatrixPower(tCovariance, 0.5));
        var shift = tMean - sMean.mm(map);
        return new CoralMap(map.to(float32).contiguous().data<float>().ToArray(), shift.to(float32).contiguous().data<float>().ToArray(), width);
    }

    public float[][] Apply(IReadOnlyList<float[]> rows)
    {
        var result = new float[rows.Count][];
        using var scope = NewDisposeScope();
        var map = tensor(_map, [_width, _width]);
        var shift = tensor(_shift, [1, _width]);
        for (int start = 0; start < rows.Count; start += Batch)
        {
            using var batchScope = NewDisposeScope();
            int count = Math.Min(Batch, rows.Count - start);
            TensorRows.ToRows(TensorRows.ToTensor(rows.Skip(start).Take(count).ToList(), _width).mm(map) + shift).CopyTo(result, start);
        }
        return result;
    }
}

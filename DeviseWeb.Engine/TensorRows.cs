using TorchSharp;
using static TorchSharp.torch;

namespace DeviseWeb.Engine;

/// <summary>Moves vectors kept as float arrays in and out of one [rows, width] tensor.</summary>
public static class TensorRows
{
    public static Tensor ToTensor(IReadOnlyList<float[]> rows, int width)
    {
        var flat = new float[rows.Count * width];
        for (int i = 0; i < rows.Count; i++)
        {
            if (rows[i].Length != width) throw new ArgumentException($"Row {i} has {rows[i].Length} values, expected {width}.");
            rows[i].CopyTo(flat, i * width);
        }
        return tensor(flat, [rows.Count, width]);
    }

    public static float[][] ToRows(Tensor matrix)
    {
        // cpu() may hand back the same tensor when it is already on the CPU: only a real copy is disposed here.
        var onCpu = matrix.device_type == DeviceType.CPU ? matrix : matrix.cpu();
        var data = onCpu.data<float>().ToArray();
        if (!ReferenceEquals(onCpu, matrix)) onCpu.Dispose();
        int count = (int)matrix.shape[0], width = (int)matrix.shape[1];
        return Enumerable.Range(0, count).Select(i => data.AsSpan(i * width, width).ToArray()).ToArray();
    }
}

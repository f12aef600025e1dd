using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DeviseWeb.Engine;

/// <summary>Small helpers for float vectors kept as arrays and as compact bytes in the store.</summary>
public static class VectorMath
{
    public static float[] Normalized(ReadOnlySpan<float> vector)
    {
        var result = vector.ToArray();
        float norm = TensorPrimitives.Norm(result);
        if (norm > 0) TensorPrimitives.Divide(result, norm, result);
        return result;
    }

    public static float Cosine(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.CosineSimilarity(a, b);

    public static byte[] ToBytes(ReadOnlySpan<float> vector) => MemoryMarshal.AsBytes(vector).ToArray();

    public static float[] FromBytes(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();

    /// <summary>Rows <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> as an array of the same row references (no copy of a row).</summary>
    public static float[][] Slice(IReadOnlyList<float[]> rows, int start, int count)
    {
        var slice = new float[count][];
        for (int i = 0; i < count; i++) slice[i] = rows[start + i];
        return slice;
    }
}

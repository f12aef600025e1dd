using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// A segment being built in native memory, rows set in ascending id order: written to a file (a column's
/// index) or handed over whole as an in-memory segment (an index without a column).
/// </summary>
internal sealed unsafe class SegmentImage : IDisposable
{
    private byte* _front;
    private float* _vectors;
    private int _lastId = int.MinValue;

    private SegmentImage(SegmentLayout layout)
    {
        Layout = layout;
        _front = (byte*)NativeMemory.AlignedAlloc((nuint)layout.VectorsOffset, 64);
        // Padding of int8 rows must be zero: the kernels multiply whole 64-byte strides.
        NativeMemory.Clear(_front, (nuint)layout.VectorsOffset);
        _vectors = (float*)NativeMemory.AlignedAlloc((nuint)Math.Max(64, layout.VectorBytes), 64);
    }

    public static SegmentImage Create(int dimension, int count, bool quantized) => new(new SegmentLayout(dimension, count, quantized));

    public SegmentLayout Layout { get; }

    /// <summary>Writes the whole file image (front, then fp32 rows) to a stream.</summary>
    public void WriteTo(Stream stream)
    {
        Write(stream, _front, Layout.VectorsOffset);
        Write(stream, (byte*)_vectors, Layout.VectorBytes);
    }

    private static void Write(Stream stream, byte* source, long length)
    {
        for (long done = 0; done < length;)
        {
            int piece = (int)Math.Min(length - done, 1 << 30);
            stream.Write(new ReadOnlySpan<byte>(source + done, piece));
            done += piece;
        }
    }

    /// <summary>Sets one row from a unit vector; rows must come in strictly ascending id order.</summary>
    public void SetRow(int row, int id, ReadOnlySpan<float> unit)
    {
        if (id <= _lastId && row > 0) throw new InvalidOperationException($"Segment ids must ascend: {id} after {_lastId}.");
        _lastId = id;
        ((int*)(_front + SegmentLayout.IdsOffset))[row] = id;
        unit.CopyTo(new Span<float>(_vectors + (long)row * Layout.Dimension, Layout.Dimension));
        if (!Layout.Quantized) return;
        var int8 = new Span<sbyte>(_front + Layout.Int8Offset + (long)row * Layout.Int8Stride, Layout.Dimension);
        Int8Quantizer.Quantize(unit, int8, out float scale, out int sum);
        ((float*)(_front + Layout.ScalesOffset))[row] = scale;
        ((int*)(_front + Layout.SumsOffset))[row] = sum;
    }

    /// <summary>Stamps the header once every row is set.</summary>
    public void Finish()
    {
        var header = new Span<byte>(_front, SegmentLayout.HeaderBytes);
        Layout.WriteHeader(header, 0);
        ulong checksum = SegmentLayout.Checksum(header, new ReadOnlySpan<byte>(_front + SegmentLayout.IdsOffset, 4 * Layout.Count));
        Layout.WriteHeader(header, checksum);
    }

    /// <summary>Hands both native blocks to an in-memory segment; this image is empty afterwards.</summary>
    public SegmentData ToData()
    {
        var data = new SegmentData(Layout, _front, _vectors, path: null);
        _front = null;
        _vectors = null;
        return data;
    }

    public void Dispose()
    {
        if (_front is not null) NativeMemory.AlignedFree(_front);
        if (_vectors is not null) NativeMemory.AlignedFree(_vectors);
        _front = null;
        _vectors = null;
    }
}

/// <summary>Symmetric int8 quantization of unit vectors: one scale per vector, values in [−127, 127].</summary>
internal static class Int8Quantizer
{
    public static void Quantize(ReadOnlySpan<float> vector, Span<sbyte> values, out float scale, out int sum)
    {
        float maxAbs = vector.Length == 0 ? 0 : MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
        scale = maxAbs / 127f;
        float inverse = maxAbs > 0 ? 127f / maxAbs : 0;
        sum = 0;
        for (int j = 0; j < vector.Length; j++)
        {
            int value = Math.Clamp((int)MathF.Round(vector[j] * inverse), -127, 127);
            values[j] = (sbyte)value;
            sum += value;
        }
    }
}

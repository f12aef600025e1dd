namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// A unit query quantized once for the int8 kernels, padded with zeros to the rows' 64-byte stride, in the
/// forms each kernel wants: signed, unsigned (value + 128, for VNNI's unsigned × signed product) and widened
/// to 16 bits. Arrays are pinned so kernels take their address without fixing them.
/// </summary>
internal sealed class Int8Query
{
    public Int8Query(ReadOnlySpan<float> unit, int stride)
    {
        Signed = GC.AllocateArray<sbyte>(stride, pinned: true);
        Unsigned = GC.AllocateArray<byte>(stride, pinned: true);
        Widened = GC.AllocateArray<short>(stride, pinned: true);
        Int8Quantizer.Quantize(unit, Signed.AsSpan(0, unit.Length), out float scale, out _);
        Scale = scale;
        for (int j = 0; j < stride; j++)
        {
            Unsigned[j] = (byte)(Signed[j] + 128);
            Widened[j] = Signed[j];
        }
    }

    public sbyte[] Signed { get; }
    public byte[] Unsigned { get; }
    public short[] Widened { get; }

    /// <summary>query ≈ Scale × Signed.</summary>
    public float Scale { get; }
}

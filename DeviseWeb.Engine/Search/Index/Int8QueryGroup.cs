using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Eight quantized queries side by side, for the batch kernel: each int8 row is scored against all eight while
/// it sits in L1, and the eight sums come out of one horizontal-add tree instead of eight. A group short of
/// eight queries is padded with zero queries whose scores are ignored.
/// </summary>
internal sealed unsafe class Int8QueryGroup
{
    public const int Width = 8;
    private readonly byte[] _unsigned;
    private readonly float[] _scales = GC.AllocateArray<float>(Width, pinned: true);

    public Int8QueryGroup(IReadOnlyList<Int8Query> queries, int first, int stride)
    {
        Count = Math.Min(Width, queries.Count - first);
        Stride = stride;
        _unsigned = GC.AllocateArray<byte>(Width * stride, pinned: true);
        _unsigned.AsSpan().Fill(128); // a zero query, unsigned
        for (int g = 0; g < Count; g++)
        {
            queries[first + g].Unsigned.CopyTo(_unsigned, g * stride);
            _scales[g] = queries[first + g].Scale;
        }
    }

    /// <summary>Real queries in the group (the rest is padding).</summary>
    public int Count { get; }

    public int Stride { get; }

    public static bool IsSupported => AvxVnni.IsSupported;

    /// <summary>scores[row × 8 + g] = query g's scale × row scale × integer dot product, for rows [0, count).</summary>
    public void Score(sbyte* rows, int count, float* scales, int* sums, float* scores)
    {
        byte* q = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_unsigned));
        var queryScales = Vector256.Create(_scales);
        int stride = Stride;
        for (int i = 0; i < count; i++)
        {
            sbyte* row = rows + (long)i * stride;
            Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (int j = 0; j < stride; j += 32)
            {
                var r = Vector256.LoadAligned(row + j);
                byte* at = q + j;
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Load(at), r);
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.Load(at + stride), r);
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, Vector256.Load(at + 2 * stride), r);
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, Vector256.Load(at + 3 * stride), r);
                a4 = AvxVnni.MultiplyWideningAndAdd(a4, Vector256.Load(at + 4 * stride), r);
                a5 = AvxVnni.MultiplyWideningAndAdd(a5, Vector256.Load(at + 5 * stride), r);
                a6 = AvxVnni.MultiplyWideningAndAdd(a6, Vector256.Load(at + 6 * stride), r);
                a7 = AvxVnni.MultiplyWideningAndAdd(a7, Vector256.Load(at + 7 * stride), r);
            }
            // Per 128-bit lane the tree leaves [s0 s1 s2 s3] (from a0..a3) and [s4..s7]; adding the lanes finishes.
            var low = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3));
            var high = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a4, a5), Avx2.HorizontalAdd(a6, a7));
            var sum = Avx2.Permute2x128(low, high, 0x20) + Avx2.Permute2x128(low, high, 0x31);
            // Σ(q + 128)·r = Σ q·r + 128·Σ r
            var dot = Vector256.ConvertToSingle(sum - Vector256.Create(128 * sums[i]));
            (dot * scales[i] * queryScales).Store(scores + (long)i * Width); // the single-query kernel's rounding order
        }
    }
}

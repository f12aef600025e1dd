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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Score(sbyte* rows, int count, float* scales, int* sums, float* scores)
    {
        byte* q0 = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_unsigned));
        int stride = Stride;
        // One pointer per query keeps the inner loop to loads and multiply-adds (no address arithmetic).
        byte* q1 = q0 + stride, q2 = q1 + stride, q3 = q2 + stride, q4 = q3 + stride, q5 = q4 + stride, q6 = q5 + stride, q7 = q6 + stride;
        var queryScales = Vector256.Create(_scales);
        int i = 0;
        // Two rows at a time: each query load feeds two multiply-adds (16 accumulators fit the 32 AVX-512 registers).
        for (; i + 1 < count; i += 2)
        {
            sbyte* row = rows + (long)i * stride, next = row + stride;
            Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            Vector256<int> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
            for (nint j = 0; j < stride; j += 32)
            {
                var r = Vector256.LoadAligned(row + j);
                var n = Vector256.LoadAligned(next + j);
                var x = Vector256.Load(q0 + j);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, x, r);
                b0 = AvxVnni.MultiplyWideningAndAdd(b0, x, n);
                x = Vector256.Load(q1 + j);
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, x, r);
                b1 = AvxVnni.MultiplyWideningAndAdd(b1, x, n);
                x = Vector256.Load(q2 + j);
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, x, r);
                b2 = AvxVnni.MultiplyWideningAndAdd(b2, x, n);
                x = Vector256.Load(q3 + j);
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, x, r);
                b3 = AvxVnni.MultiplyWideningAndAdd(b3, x, n);
                x = Vector256.Load(q4 + j);
                a4 = AvxVnni.MultiplyWideningAndAdd(a4, x, r);
                b4 = AvxVnni.MultiplyWideningAndAdd(b4, x, n);
                x = Vector256.Load(q5 + j);
                a5 = AvxVnni.MultiplyWideningAndAdd(a5, x, r);
                b5 = AvxVnni.MultiplyWideningAndAdd(b5, x, n);
                x = Vector256.Load(q6 + j);
                a6 = AvxVnni.MultiplyWideningAndAdd(a6, x, r);
                b6 = AvxVnni.MultiplyWideningAndAdd(b6, x, n);
                x = Vector256.Load(q7 + j);
                a7 = AvxVnni.MultiplyWideningAndAdd(a7, x, r);
                b7 = AvxVnni.MultiplyWideningAndAdd(b7, x, n);
            }
            Finish(a0, a1, a2, a3, a4, a5, a6, a7, sums[i], scales[i], queryScales, scores + (long)i * Width);
            Finish(b0, b1, b2, b3, b4, b5, b6, b7, sums[i + 1], scales[i + 1], queryScales, scores + (long)(i + 1) * Width);
        }
        for (; i < count; i++)
        {
            sbyte* row = rows + (long)i * stride;
            Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (nint j = 0; j < stride; j += 32)
            {
                var r = Vector256.LoadAligned(row + j);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Load(q0 + j), r);
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.Load(q1 + j), r);
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, Vector256.Load(q2 + j), r);
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, Vector256.Load(q3 + j), r);
                a4 = AvxVnni.MultiplyWideningAndAdd(a4, Vector256.Load(q4 + j), r);
                a5 = AvxVnni.MultiplyWideningAndAdd(a5, Vector256.Load(q5 + j), r);
                a6 = AvxVnni.MultiplyWideningAndAdd(a6, Vector256.Load(q6 + j), r);
                a7 = AvxVnni.MultiplyWideningAndAdd(a7, Vector256.Load(q7 + j), r);
            }
            Finish(a0, a1, a2, a3, a4, a5, a6, a7, sums[i], scales[i], queryScales, scores + (long)i * Width);
        }
    }

    /// <summary>Eight accumulators of one row to eight scores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3, Vector256<int> a4,
        Vector256<int> a5, Vector256<int> a6, Vector256<int> a7, int rowSum, float rowScale, Vector256<float> queryScales, float* output)
    {
        var sum = Int8Kernels.SumEach(a0, a1, a2, a3, a4, a5, a6, a7);
        // Σ(q + 128)·r = Σ q·r + 128·Σ r
        var dot = Vector256.ConvertToSingle(sum - Vector256.Create(128 * rowSum));
        (dot * rowScale * queryScales).Store(output); // the single-query kernel's rounding order
    }
}

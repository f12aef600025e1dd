using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>The int8 dot-product kernels, fastest first; each one gives the same integers as <see cref="Scalar"/>.</summary>
internal enum Int8KernelKind
{
    /// <summary>vpdpbusd on 256 bits: unsigned query × signed row, corrected by the row's sum.</summary>
    AvxVnni,
    Avx512BW,
    Avx2,
    Portable128,
    Scalar,
}

/// <summary>
/// Scores int8 rows against a quantized query: scores[i] = query scale × row scale × (integer dot product),
/// an approximation of the cosine good enough to pick a shortlist. Rows are padded to a 64-byte stride with
/// zeros, so every kernel walks whole strides without a remainder loop. Kernels and the scan loops around them
/// skip tiered compilation (AggressiveOptimization): otherwise the first hundred or so searches after start run
/// unoptimised loops, five times slower.
/// </summary>
internal static unsafe class Int8Kernels
{
    public static Int8KernelKind Fastest { get; } = Enum.GetValues<Int8KernelKind>().First(IsSupported);

    public static bool IsSupported(Int8KernelKind kind) => kind switch
    {
        Int8KernelKind.AvxVnni => AvxVnni.IsSupported,
        Int8KernelKind.Avx512BW => Avx512BW.IsSupported,
        Int8KernelKind.Avx2 => Avx2.IsSupported,
        Int8KernelKind.Portable128 => Vector128.IsHardwareAccelerated,
        _ => true,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Score(Int8KernelKind kind, Int8Query query, sbyte* rows, int stride, int count, float* scales, int* sums, float* scores)
    {
        switch (kind)
        {
            case Int8KernelKind.AvxVnni: ScoreVnni(Address(query.Unsigned), rows, stride, count, scales, sums, query.Scale, scores); break;
            case Int8KernelKind.Avx512BW: ScoreAvx512(Address(query.Widened), rows, stride, count, scales, query.Scale, scores); break;
            case Int8KernelKind.Avx2: ScoreAvx2(Address(query.Widened), rows, stride, count, scales, query.Scale, scores); break;
            case Int8KernelKind.Portable128: ScorePortable(Address(query.Widened), rows, stride, count, scales, query.Scale, scores); break;
            default: ScoreScalar(Address(query.Signed), rows, stride, count, scales, query.Scale, scores); break;
        }
    }

    private static T* Address<T>(T[] pinned) where T : unmanaged => (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreVnni(byte* query, sbyte* rows, int stride, int count, float* scales, int* sums, float queryScale, float* scores)
    {
        int i = 0;
        // Eight rows at a time: one query load feeds eight multiply-adds, and one add tree yields all eight sums.
        for (; i + 7 < count; i += 8)
        {
            sbyte* r0 = rows + (long)i * stride, r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
            sbyte* r4 = r3 + stride, r5 = r4 + stride, r6 = r5 + stride, r7 = r6 + stride;
            Vector256<int> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
            for (nint j = 0; j < stride; j += 32)
            {
                var q = Vector256.Load(query + j);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, q, Vector256.LoadAligned(r0 + j));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, q, Vector256.LoadAligned(r1 + j));
                a2 = AvxVnni.MultiplyWideningAndAdd(a2, q, Vector256.LoadAligned(r2 + j));
                a3 = AvxVnni.MultiplyWideningAndAdd(a3, q, Vector256.LoadAligned(r3 + j));
                a4 = AvxVnni.MultiplyWideningAndAdd(a4, q, Vector256.LoadAligned(r4 + j));
                a5 = AvxVnni.MultiplyWideningAndAdd(a5, q, Vector256.LoadAligned(r5 + j));
                a6 = AvxVnni.MultiplyWideningAndAdd(a6, q, Vector256.LoadAligned(r6 + j));
                a7 = AvxVnni.MultiplyWideningAndAdd(a7, q, Vector256.LoadAligned(r7 + j));
            }
            var sum = SumEach(a0, a1, a2, a3, a4, a5, a6, a7);
            // Σ(q + 128)·r = Σ q·r + 128·Σ r
            var dot = Vector256.ConvertToSingle(sum - Vector256.ShiftLeft(Vector256.Load(sums + i), 7));
            (dot * Vector256.Load(scales + i) * queryScale).Store(scores + i);
        }
        for (; i < count; i++)
        {
            sbyte* row = rows + (long)i * stride;
            Vector256<int> a0 = default, a1 = default;
            for (int j = 0; j < stride; j += 64)
            {
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, Vector256.Load(query + j), Vector256.LoadAligned(row + j));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, Vector256.Load(query + j + 32), Vector256.LoadAligned(row + j + 32));
            }
            scores[i] = (Vector256.Sum(a0 + a1) - 128 * sums[i]) * scales[i] * queryScale;
        }
    }

    /// <summary>The eight horizontal sums of eight vectors, as one vector: [Σa0, Σa1, …, Σa7].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> SumEach(Vector256<int> a0, Vector256<int> a1, Vector256<int> a2, Vector256<int> a3,
        Vector256<int> a4, Vector256<int> a5, Vector256<int> a6, Vector256<int> a7)
    {
        // Per 128-bit lane the tree leaves [s0 s1 s2 s3] (from a0..a3) and [s4..s7]; adding the lanes finishes.
        var low = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a0, a1), Avx2.HorizontalAdd(a2, a3));
        var high = Avx2.HorizontalAdd(Avx2.HorizontalAdd(a4, a5), Avx2.HorizontalAdd(a6, a7));
        return Avx2.Permute2x128(low, high, 0x20) + Avx2.Permute2x128(low, high, 0x31);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreAvx512(short* query, sbyte* rows, int stride, int count, float* scales, float queryScale, float* scores)
    {
        for (int i = 0; i < count; i++)
        {
            sbyte* row = rows + (long)i * stride;
            Vector512<int> a0 = default, a1 = default;
            for (int j = 0; j < stride; j += 64)
            {
                var r0 = Avx512BW.ConvertToVector512Int16(Vector256.LoadAligned(row + j));
                var r1 = Avx512BW.ConvertToVector512Int16(Vector256.LoadAligned(row + j + 32));
                a0 += Avx512BW.MultiplyAddAdjacent(r0, Vector512.Load(query + j));
                a1 += Avx512BW.MultiplyAddAdjacent(r1, Vector512.Load(query + j + 32));
            }
            scores[i] = Vector512.Sum(a0 + a1) * scales[i] * queryScale;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreAvx2(short* query, sbyte* rows, int stride, int count, float* scales, float queryScale, float* scores)
    {
        for (int i = 0; i < count; i++)
        {
            sbyte* row = rows + (long)i * stride;
            Vector256<int> a0 = default, a1 = default;
            for (int j = 0; j < stride; j += 32)
            {
                var r0 = Avx2.ConvertToVector256Int16(Vector128.LoadAligned(row + j));
                var r1 = Avx2.ConvertToVector256Int16(Vector128.LoadAligned(row + j + 16));
                a0 += Avx2.MultiplyAddAdjacent(r0, Vector256.Load(query + j));
                a1 += Avx2.MultiplyAddAdjacent(r1, Vector256.Load(query + j + 16));
            }
            scores[i] = Vector256.Sum(a0 + a1) * scales[i] * queryScale;
        }
    }

    /// <summary>Any 128-bit SIMD (Arm included): widen to 16 bits, multiply (127² fits), widen and add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScorePortable(short* query, sbyte* rows, int stride, int count, float* scales, float queryScale, float* scores)
    {
        for (int i = 0; i < count; i++)
        {
            sbyte* row = rows + (long)i * stride;
            Vector128<int> sum = default;
            for (int j = 0; j < stride; j += 16)
            {
                var (low, high) = Vector128.Widen(Vector128.Load(row + j));
                var (p0, p1) = Vector128.Widen(low * Vector128.Load(query + j));
                var (p2, p3) = Vector128.Widen(high * Vector128.Load(query + j + 8));
                sum += (p0 + p1) + (p2 + p3);
            }
            scores[i] = Vector128.Sum(sum) * scales[i] * queryScale;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScoreScalar(sbyte* query, sbyte* rows, int stride, int count, float* scales, float queryScale, float* scores)
    {
        for (int i = 0; i < count; i++)
        {
            sbyte* row = rows + (long)i * stride;
            int sum = 0;
            for (int j = 0; j < stride; j++) sum += query[j] * row[j];
            scores[i] = sum * scales[i] * queryScale;
        }
    }
}

/// <summary>Exact fp32 scores of unpadded rows (tail rows, unquantized segments, re-ranking).</summary>
internal static unsafe class Float32Kernels
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Score(float* rows, int dimension, int count, ReadOnlySpan<float> query, float* scores)
    {
        for (int i = 0; i < count; i++)
            scores[i] = TensorPrimitives.Dot(new ReadOnlySpan<float>(rows + (long)i * dimension, dimension), query);
    }
}

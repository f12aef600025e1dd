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
/// zeros, so every kernel walks whole strides without a remainder loop.
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

    private static void ScoreVnni(byte* query, sbyte* rows, int stride, int count, float* scales, int* sums, float queryScale, float* scores)
    {
        int i = 0;
        // Two rows at a time share each query load and keep four independent accumulator chains in flight.
        for (; i + 1 < count; i += 2)
        {
            sbyte* first = rows + (long)i * stride, second = first + stride;
            Vector256<int> a0 = default, a1 = default, b0 = default, b1 = default;
            for (int j = 0; j < stride; j += 64)
            {
                var q0 = Vector256.Load(query + j);
                var q1 = Vector256.Load(query + j + 32);
                a0 = AvxVnni.MultiplyWideningAndAdd(a0, q0, Vector256.LoadAligned(first + j));
                a1 = AvxVnni.MultiplyWideningAndAdd(a1, q1, Vector256.LoadAligned(first + j + 32));
                b0 = AvxVnni.MultiplyWideningAndAdd(b0, q0, Vector256.LoadAligned(second + j));
                b1 = AvxVnni.MultiplyWideningAndAdd(b1, q1, Vector256.LoadAligned(second + j + 32));
            }
            // Σ(q + 128)·r = Σ q·r + 128·Σ r
            scores[i] = (Vector256.Sum(a0 + a1) - 128 * sums[i]) * scales[i] * queryScale;
            scores[i + 1] = (Vector256.Sum(b0 + b1) - 128 * sums[i + 1]) * scales[i + 1] * queryScale;
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
    public static void Score(float* rows, int dimension, int count, ReadOnlySpan<float> query, float* scores)
    {
        for (int i = 0; i < count; i++)
            scores[i] = TensorPrimitives.Dot(new ReadOnlySpan<float>(rows + (long)i * dimension, dimension), query);
    }
}

using System.Runtime.InteropServices;
using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Tests.Search.Index;

public sealed unsafe class Int8KernelsTests
{
    /// <summary>Kernel names (the enum is internal), each with dimensions short of, at, and past a 64-byte stride.</summary>
    public static TheoryData<string, int> SupportedKernelsAndDimensions()
    {
        var data = new TheoryData<string, int>();
        foreach (var kind in Enum.GetValues<Int8KernelKind>().Where(Int8Kernels.IsSupported))
            foreach (int dimension in new[] { 7, 64, 384, 449 })
                data.Add(kind.ToString(), dimension);
        return data;
    }

    [Theory]
    [MemberData(nameof(SupportedKernelsAndDimensions))]
    public void Score_EveryKernel_EqualsScalar(string kernel, int dimension)
    {
        var kind = Enum.Parse<Int8KernelKind>(kernel);
        const int rows = 37;
        int stride = (int)((dimension + 63) / 64 * 64);
        var vectors = VectorData.UnitVectors(rows + 1, dimension, seed: dimension);
        var int8 = (sbyte*)NativeMemory.AlignedAlloc((nuint)(rows * stride), 64);
        try
        {
            NativeMemory.Clear(int8, (nuint)(rows * stride));
            var scales = new float[rows];
            var sums = new int[rows];
            for (int i = 0; i < rows; i++)
                Int8Quantizer.Quantize(vectors[i], new Span<sbyte>(int8 + i * stride, dimension), out scales[i], out sums[i]);
            var query = new Int8Query(vectors[rows], stride);
            var expected = new float[rows];
            var actual = new float[rows];

            fixed (float* scalePointer = scales, expectedPointer = expected, actualPointer = actual)
            fixed (int* sumPointer = sums)
            {
                Int8Kernels.Score(Int8KernelKind.Scalar, query, int8, stride, rows, scalePointer, sumPointer, expectedPointer);
                Int8Kernels.Score(kind, query, int8, stride, rows, scalePointer, sumPointer, actualPointer);
            }

            Assert.Equal(expected, actual);
            Assert.Contains(expected, s => s != 0);
        }
        finally
        {
            NativeMemory.AlignedFree(int8);
        }
    }

    [Theory]
    [InlineData(8, 384)]
    [InlineData(3, 64)]
    [InlineData(8, 449)]
    public void QueryGroupScore_EachQuery_EqualsScalar(int queries, int dimension)
    {
        if (!Int8QueryGroup.IsSupported) return; // the batch kernel needs AVX-VNNI; batches use the others without it
        const int rows = 21;
        int stride = (dimension + 63) / 64 * 64;
        var vectors = VectorData.UnitVectors(rows + queries, dimension, seed: 5);
        var int8 = (sbyte*)NativeMemory.AlignedAlloc((nuint)(rows * stride), 64);
        try
        {
            NativeMemory.Clear(int8, (nuint)(rows * stride));
            var scales = new float[rows];
            var sums = new int[rows];
            for (int i = 0; i < rows; i++)
                Int8Quantizer.Quantize(vectors[i], new Span<sbyte>(int8 + i * stride, dimension), out scales[i], out sums[i]);
            var quantized = vectors.Skip(rows).Select(v => new Int8Query(v, stride)).ToArray();
            var group = new Int8QueryGroup(quantized, 0, stride);
            var grouped = new float[rows * Int8QueryGroup.Width];
            var expected = new float[queries][];

            fixed (float* scalePointer = scales, groupedPointer = grouped)
            fixed (int* sumPointer = sums)
            {
                group.Score(int8, rows, scalePointer, sumPointer, groupedPointer);
                for (int q = 0; q < queries; q++)
                    fixed (float* expectedPointer = expected[q] = new float[rows])
                        Int8Kernels.Score(Int8KernelKind.Scalar, quantized[q], int8, stride, rows, scalePointer, sumPointer, expectedPointer);
            }

            Assert.Equal(queries, group.Count);
            for (int q = 0; q < queries; q++)
                Assert.Equal(expected[q], Enumerable.Range(0, rows).Select(i => grouped[i * Int8QueryGroup.Width + q]));
        }
        finally
        {
            NativeMemory.AlignedFree(int8);
        }
    }

    [Fact]
    public void Score_Scalar_ApproximatesTheCosine()
    {
        const int dimension = 384;
        var vectors = VectorData.UnitVectors(2, dimension, seed: 1);
        var int8 = (sbyte*)NativeMemory.AlignedAlloc(dimension, 64);
        try
        {
            Int8Quantizer.Quantize(vectors[0], new Span<sbyte>(int8, dimension), out float scale, out int sum);
            var query = new Int8Query(vectors[1], dimension);
            float score;

            Int8Kernels.Score(Int8KernelKind.Scalar, query, int8, dimension, 1, &scale, &sum, &score);

            float exact = System.Numerics.Tensors.TensorPrimitives.Dot(vectors[0], vectors[1]);
            Assert.InRange(score, exact - 0.005f, exact + 0.005f);
        }
        finally
        {
            NativeMemory.AlignedFree(int8);
        }
    }

    [Fact]
    public void Quantize_UnitVector_MaxMagnitudeMapsTo127()
    {
        var vector = new float[] { 0.6f, -0.8f, 0f };
        var values = new sbyte[3];

        Int8Quantizer.Quantize(vector, values, out float scale, out int sum);

        Assert.Equal(new sbyte[] { 95, -127, 0 }, values);
        Assert.Equal(0.8f / 127f, scale, 6);
        Assert.Equal(-32, sum);
    }

    [Fact]
    public void TopCollector_ManyScores_KeepsTheBestByScore()
    {
        var random = new Random(3);
        var scores = Enumerable.Range(0, 1000).Select(_ => (float)random.NextDouble()).ToArray();
        var first = new TopCollector(10);
        var second = new TopCollector(10);

        for (int i = 0; i < scores.Length; i++) (i % 2 == 0 ? first : second).Add(scores[i], part: i % 2, row: i);
        var merged = TopCollector.Merge([first, second], 10);

        Assert.Equal(scores.Select((s, i) => (s, i)).OrderByDescending(p => p.s).Take(10).Select(p => p.i), merged.Select(c => c.Row));
    }
}

using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Search.Index;

public sealed class SegmentFileTests
{
    private static string Written(string folder, int count, int dimension, bool quantized, out float[][] vectors)
    {
        var rows = VectorData.UnitVectors(count, dimension, seed: count);
        vectors = rows;
        using var image = SegmentImage.Create(dimension, count, quantized);
        for (int i = 0; i < count; i++) image.SetRow(i, i * 2, rows[i]);
        image.Finish();
        string path = SegmentFile.NewPath(folder);
        SegmentFile.Write(path, image);
        return path;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public unsafe void Open_WrittenFile_ReadsBackIdsVectorsAndInt8(bool quantized)
    {
        string folder = TestData.NewTemporaryDirectory("segment");
        string path = Written(folder, 100, 48, quantized, out var vectors);

        using var data = SegmentFile.Open(path);

        Assert.Equal(Enumerable.Range(0, 100).Select(i => i * 2), data.IdSpan.ToArray());
        Assert.Equal(vectors[57], data.Row(57).ToArray());
        Assert.Equal(quantized, data.HasInt8);
        if (quantized)
        {
            var expected = new sbyte[48];
            Int8Quantizer.Quantize(vectors[57], expected, out float scale, out int sum);
            Assert.Equal(expected, new ReadOnlySpan<sbyte>(data.Int8 + 57 * data.Layout.Int8Stride, 48).ToArray());
            Assert.Equal(scale, data.Scales[57]);
            Assert.Equal(sum, data.Sums[57]);
        }
        Assert.Equal(new SegmentLayout(48, 100, quantized).FileLength, new FileInfo(path).Length);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
    }

    [Theory]
    [InlineData(0, "bad magic")]
    [InlineData(70, "checksum")]
    public void Open_CorruptedByte_ThrowsNamingFileAndReason(int offset, string reason)
    {
        string path = Written(TestData.NewTemporaryDirectory("segment"), 50, 16, quantized: true, out _);
        var bytes = File.ReadAllBytes(path);
        bytes[offset] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => SegmentFile.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Open_TruncatedFile_ThrowsNamingFileAndReason()
    {
        string path = Written(TestData.NewTemporaryDirectory("segment"), 50, 16, quantized: true, out _);
        using (var stream = new FileStream(path, FileMode.Open)) stream.SetLength(stream.Length - 4);

        var error = Assert.Throws<InvalidDataException>(() => SegmentFile.Open(path));

        Assert.Contains(path, error.Message);
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void SetRow_IdsOutOfOrder_Throws()
    {
        using var image = SegmentImage.Create(4, 2, quantized: true);
        image.SetRow(0, 10, [1, 0, 0, 0]);

        Assert.Throws<InvalidOperationException>(() => image.SetRow(1, 10, [0, 1, 0, 0]));
    }
}

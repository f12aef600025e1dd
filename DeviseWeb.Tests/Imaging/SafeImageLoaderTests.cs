using DeviseWeb.Engine.Imaging;
using DeviseWeb.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DeviseWeb.Tests.Imaging;

public sealed class SafeImageLoaderTests
{
    private static readonly string BearStamp = TestData.DemoImage("bear", "photo-bear.png");
    private readonly SafeImageLoader _loader = new(50L << 20, 40_000_000);

    [Fact]
    public void Load_TransparentPng_CompositesOntoWhite()
    {
        var path = Path.Combine(TestData.NewTemporaryDirectory("imaging"), "clear.png");
        using (var clear = new Image<Rgba32>(8, 8, new Rgba32(10, 20, 30, 0))) clear.SaveAsPng(path);

        using var image = _loader.Load(path);

        Assert.Equal(new Rgb24(255, 255, 255), image.Pixels[3, 3]);
    }

    [Fact]
    public void Load_RealStamp_KeepsBytesAndHashesThem()
    {
        using var image = _loader.Load(BearStamp);

        Assert.Equal(File.ReadAllBytes(BearStamp), image.Bytes);
        Assert.Equal(64, image.ContentHash.Length);
        Assert.Equal("png", image.Format);
    }

    [Fact]
    public void Load_ZeroByteFile_IsRejectedAsEmpty()
    {
        var path = WriteTemporary("empty.png", []);

        var error = Assert.Throws<ImageRejectedException>(() => _loader.Load(path));

        Assert.Equal("empty.png", error.FileName);
        Assert.Contains("empty", error.Reason);
    }

    [Fact]
    public void Load_TextFile_IsRejectedAsNotAnImage()
    {
        var path = WriteTemporary("notes.jpg", "this is not a picture"u8.ToArray());

        var error = Assert.Throws<ImageRejectedException>(() => _loader.Load(path));

        Assert.Contains("not a supported image", error.Reason);
        Assert.Contains("notes.jpg", error.Message);
    }

    [Fact]
    public void Load_TruncatedPng_IsRejectedAsCorrupt()
    {
        var bytes = File.ReadAllBytes(BearStamp);
        var path = WriteTemporary("truncated.png", bytes[..(bytes.Length / 3)]);

        var error = Assert.Throws<ImageRejectedException>(() => _loader.Load(path));

        Assert.Contains("corrupt or truncated", error.Reason);
    }

    [Fact]
    public void Load_MorePixelsThanTheLimit_IsRejectedBeforeDecoding()
    {
        var strict = new SafeImageLoader(50L << 20, maxPixels: 1000);

        var error = Assert.Throws<ImageRejectedException>(() => strict.Load(BearStamp));

        Assert.Contains("too many pixels", error.Reason);
    }

    [Fact]
    public void Load_LargerFileThanTheLimit_IsRejectedWithSizes()
    {
        var strict = new SafeImageLoader(maxFileBytes: 1024, 40_000_000);

        var error = Assert.Throws<ImageRejectedException>(() => strict.Load(BearStamp));

        Assert.Contains("file too large", error.Reason);
    }

    [Fact]
    public async Task LoadAsync_OversizedStream_StopsReadingAtTheLimit()
    {
        var strict = new SafeImageLoader(maxFileBytes: 1024, 40_000_000);
        await using var stream = new MemoryStream(new byte[4 << 20]);

        var error = await Assert.ThrowsAsync<ImageRejectedException>(() => strict.LoadAsync(stream, "upload.png", CancellationToken.None));

        Assert.Contains("file too large", error.Reason);
        Assert.True(stream.Position < stream.Length);
    }

    private static string WriteTemporary(string name, byte[] bytes)
    {
        var path = Path.Combine(TestData.NewTemporaryDirectory("imaging"), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

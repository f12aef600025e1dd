using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;

namespace DeviseWeb.Engine.Imaging;

/// <summary>
/// The ImageSharp configuration untrusted files are identified and decoded with: only the five formats the README
/// lists (TIFF, TGA and PBM are not even detected), the first frame of an animation only, metadata skipped (a zTXt
/// or EXIF bomb is never inflated), and an allocator of its own whose largest single buffer is what the pixel limit
/// needs. ImageSharp 2.1's limit is per buffer, not per process; the total is bounded by the loader's cap on decodes
/// at once times one first frame within the pixel limit.
/// </summary>
internal static class DecoderConfiguration
{
    /// <summary>Buffers the allocator keeps for reuse between decodes, at most; the rest goes back to the OS.</summary>
    private const int RetainedPoolMegabytes = 64;

    public const string AcceptedFormats = "jpeg, png, webp, gif, bmp";

    public static Configuration Create(DecodeLimits limits)
    {
        var configuration = new Configuration(
            new JpegConfigurationModule(), new PngConfigurationModule(), new WebpConfigurationModule(),
            new GifConfigurationModule(), new BmpConfigurationModule())
        {
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
            {
                MaximumPoolSizeMegabytes = RetainedPoolMegabytes,
                AllocationLimitMegabytes = AllocationLimitMegabytes(limits),
            }),
        };
        var formats = configuration.ImageFormatsManager;
        formats.SetDecoder(JpegFormat.Instance, new JpegDecoder { IgnoreMetadata = true });
        formats.SetDecoder(PngFormat.Instance, new PngDecoder { IgnoreMetadata = true });
        formats.SetDecoder(WebpFormat.Instance, new WebpDecoder { IgnoreMetadata = true });
        formats.SetDecoder(GifFormat.Instance, new GifDecoder { IgnoreMetadata = true, DecodingMode = FrameDecodingMode.First });
        formats.SetDecoder(BmpFormat.Instance, new BmpDecoder());
        return configuration;
    }

    /// <summary>One RGBA frame at the pixel limit, plus room for row padding; nothing a decoder legitimately needs is larger.</summary>
    public static int AllocationLimitMegabytes(DecodeLimits limits) =>
        (int)Math.Min(int.MaxValue, (limits.MaxPixels * 4 + (1 << 20) - 1) / (1 << 20) + 16);

    /// <summary>The extension the stored original gets; ImageSharp lists "bm" first for BMP, which no browser maps to image/bmp.</summary>
    public static string ExtensionOf(IImageFormat format) => format switch
    {
        JpegFormat => "jpg",
        PngFormat => "png",
        WebpFormat => "webp",
        GifFormat => "gif",
        BmpFormat => "bmp",
        _ => format.FileExtensions.First(),
    };

    /// <summary>The name of a format ImageSharp knows but this app does not accept (TIFF, TGA, PBM), for the rejection.</summary>
    public static string? OtherFormatName(byte[] bytes)
    {
        try { return Image.DetectFormat(Configuration.Default, bytes)?.Name; }
        catch (Exception e) when (e is not OutOfMemoryException) { return null; }
    }
}

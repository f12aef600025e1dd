using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>Small PNGs whose bytes no other test sends, so an upload of one is always "added", never a duplicate.</summary>
public static class UniquePng
{
    private static int _next;

    public static byte[] Create()
    {
        int n = Interlocked.Increment(ref _next) + Environment.ProcessId;
        using var image = new Image<Rgba32>(32, 32, new Rgba32((byte)n, (byte)(n >> 8), (byte)(n >> 16), 255));
        image[0, 0] = new Rgba32((byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), (byte)Random.Shared.Next(256), 255);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    public static ByteArrayContent Content()
    {
        var content = new ByteArrayContent(Create());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/png");
        return content;
    }
}

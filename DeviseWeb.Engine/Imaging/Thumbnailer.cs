using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

namespace DeviseWeb.Engine.Imaging;

/// <summary>Small JPEG previews for grids; the image is already on white, so JPEG loses nothing that matters.</summary>
public static class Thumbnailer
{
    public static byte[] MakeJpeg(LoadedImage image, int maxSide)
    {
        using var copy = image.Pixels.Clone(c =>
        {
            if (image.Width > maxSide || image.Height > maxSide)
                c.Resize(new ResizeOptions { Size = new Size(maxSide, maxSide), Mode = ResizeMode.Max, Sampler = KnownResamplers.Bicubic });
        });
        using var output = new MemoryStream();
        copy.Save(output, new JpegEncoder { Quality = 85 });
        return output.ToArray();
    }
}

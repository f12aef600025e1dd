using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Processing;

namespace DeviseWeb.Engine.Imaging;

/// <summary>Small JPEG previews for grids; the image is already on white, so JPEG loses nothing that matters.</summary>
public static class Thumbnailer
{
    public static byte[] MakeJpeg(LoadedImage image, int maxSide)
    {
        using var output = new MemoryStream();
        var encoder = new JpegEncoder { Quality = 85 };
        if (image.Width <= maxSide && image.Height <= maxSide)
        {
            image.Pixels.Save(output, encoder);
            return output.ToArray();
        }
        using var smaller = image.Pixels.Clone(c =>
            c.Resize(new ResizeOptions { Size = new Size(maxSide, maxSide), Mode = ResizeMode.Max, Sampler = KnownResamplers.Triangle }));
        smaller.Save(output, encoder);
        return output.ToArray();
    }
}

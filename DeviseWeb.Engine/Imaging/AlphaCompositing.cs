using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DeviseWeb.Engine.Imaging;

/// <summary>
/// Flattens a transparent image for the backbone, which sees RGB only: onto white (dropping alpha to black hurt
/// retrieval on real photos). One pass over the rows: several times cheaper than a general DrawImage.
/// </summary>
public static class AlphaCompositing
{
    public static Image<Rgb24> OntoWhite(Image<Rgba32> source, Configuration configuration)
    {
        var result = new Image<Rgb24>(configuration, source.Width, source.Height);
        source.ProcessPixelRows(result, (from, to) =>
        {
            for (int y = 0; y < from.Height; y++)
            {
                var input = from.GetRowSpan(y);
                var output = to.GetRowSpan(y);
                for (int x = 0; x < input.Length; x++)
                {
                    var p = input[x];
                    int a = p.A, white = 255 * (255 - a) + 127;
                    output[x] = new Rgb24((byte)((p.R * a + white) / 255), (byte)((p.G * a + white) / 255), (byte)((p.B * a + white) / 255));
                }
            }
        });
        return result;
    }
}

using DeviseWeb.Engine.Imaging;
using DeviseWeb.Tests.Infrastructure;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DeviseWeb.Tests.Imaging;

public sealed class ViewAugmentationTests
{
    private const int Size = 64;
    private readonly SafeImageLoader _loader = new(50L << 20, 40_000_000);

    private Image<Rgba32> Stamp() => _loader.DecodeWithAlpha(File.ReadAllBytes(TestData.DemoImage("bear", "photo-bear.png")), "photo-bear.png");

    [Fact]
    public void Make_SameSeed_GivesTheSamePixels_AnotherSeedOthers()
    {
        using var source = Stamp();

        using var first = ViewAugmentation.Make(source, Size, seed: 5);
        using var again = ViewAugmentation.Make(source, Size, seed: 5);
        using var other = ViewAugmentation.Make(source, Size, seed: 6);

        Assert.Equal((Size, Size), (first.Width, first.Height));
        Assert.Equal(Pixels(first), Pixels(again));
        Assert.NotEqual(Pixels(first), Pixels(other));
    }

    [Fact]
    public void Make_TransparentImageOnScenes_FillsTheClearPixelsFromTheScene()
    {
        using var clear = new Image<Rgba32>(32, 32, new Rgba32(0, 0, 0, 0));
        using var scene = new Image<Rgb24>(100, 80, new Rgb24(20, 140, 60));

        using var onWhite = ViewAugmentation.Make(clear, Size, seed: 1);
        using var onScene = ViewAugmentation.Make(clear, Size, seed: 1, [scene]);

        // Jitter changes the shade but keeps green dominant on the scene and the channels equal on white.
        var white = onWhite[Size / 2, Size / 2];
        var green = onScene[Size / 2, Size / 2];
        Assert.True(Math.Abs(white.R - white.G) <= 4 && Math.Abs(white.G - white.B) <= 4, $"{white}");
        Assert.True(green.G > green.R + 30 && green.G > green.B + 30, $"{green}");
    }

    [Fact]
    public void SeedOf_DifferentViewsOrImages_Differ() =>
        Assert.Equal(4, new[] { ViewAugmentation.SeedOf(1, 0), ViewAugmentation.SeedOf(1, 1), ViewAugmentation.SeedOf(2, 0), ViewAugmentation.SeedOf(2, 1) }.Distinct().Count());

    private static byte[] Pixels(Image<Rgb24> image)
    {
        var bytes = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(bytes);
        return bytes;
    }
}

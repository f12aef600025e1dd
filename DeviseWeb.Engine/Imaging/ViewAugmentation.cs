using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DeviseWeb.Engine.Imaging;

/// <summary>Where an augmented view's transparent pixels go.</summary>
public enum ViewBackground
{
    /// <summary>White, as every import composites.</summary>
    White,
    /// <summary>A random crop of one of the gallery's scene photographs (files named scene-*).</summary>
    Scenes,
}

/// <summary>
/// One augmented view of an image, drawn from a seed: a random resized crop (area 35–100 %, aspect 3/4–4/3), a
/// horizontal flip, colour jitter (brightness, contrast, saturation ×0.6–1.4), occasional greyscale, Gaussian blur
/// and a low-quality JPEG re-encode. The crop is made before compositing, so a transparent image keeps its alpha
/// until it lands on white or on a scene crop. The view is square at the backbone's input size, which the
/// backbone's own stretch-resize would have made of it anyway.
/// </summary>
public static class ViewAugmentation
{
    public const double MinCropArea = 0.35, MaxCropArea = 1;
    public const double MinAspect = 3 / 4.0, MaxAspect = 4 / 3.0;
    public const double JitterStrength = 0.4;
    public const double FlipChance = 0.5, GreyscaleChance = 0.1, BlurChance = 0.3, JpegChance = 0.5;
    public const double MaxBlurSigma = 2;
    public const int MinJpegQuality = 15, MaxJpegQuality = 50;
    /// <summary>Scene photos are shrunk to this side once: background crops need no more pixels than the view.</summary>
    public const int MaxBackgroundSide = 512;

    /// <summary>The same (image, view) always gets the same view, whichever run or thread computes it.</summary>
    public static int SeedOf(int imageId, int viewIndex) => unchecked(imageId * 1_000_003 + viewIndex * 7_919 + 17);

    public static Image<Rgb24> Make(Image<Rgba32> source, int size, int seed, IReadOnlyList<Image<Rgb24>>? backgrounds = null)
    {
        var random = new Random(seed);
        var crop = CropOf(source.Width, source.Height, random);
        bool flip = random.NextDouble() < FlipChance;
        float brightness = Jitter(random), contrast = Jitter(random), saturation = Jitter(random);
        bool greyscale = random.NextDouble() < GreyscaleChance;
        float blur = random.NextDouble() < BlurChance ? (float)(0.1 + random.NextDouble() * (MaxBlurSigma - 0.1)) : 0;
        int quality = random.NextDouble() < JpegChance ? random.Next(MinJpegQuality, MaxJpegQuality + 1) : 0;

        using var cut = source.Clone(c =>
        {
            c.Crop(crop).Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Triangle });
            if (flip) c.Flip(FlipMode.Horizontal);
        });
        // Its own generator: the white and scene variants of a view then share crop, flip and colour, and differ only in background.
        using var background = backgrounds is { Count: > 0 } ? BackgroundCrop(backgrounds, size, new Random(seed ^ 0x5bd1e995)) : null;
        var view = background is null ? AlphaCompositing.OntoWhite(cut, Configuration.Default) : AlphaCompositing.Onto(cut, background);
        view.Mutate(c =>
        {
            c.Brightness(brightness).Contrast(contrast).Saturate(saturation);
            if (greyscale) c.Grayscale();
            if (blur > 0) c.GaussianBlur(blur);
        });
        return quality > 0 ? Reencode(view, quality) : view;
    }

    /// <summary>A scene photo shrunk for use as backgrounds.</summary>
    public static Image<Rgb24> PrepareBackground(Image<Rgb24> scene) => scene.Clone(c =>
        c.Resize(new ResizeOptions { Size = new Size(MaxBackgroundSide, MaxBackgroundSide), Mode = ResizeMode.Max, Sampler = KnownResamplers.Triangle }));

    /// <summary>torchvision's RandomResizedCrop: ten tries at a box of random area and aspect, else the whole image.</summary>
    private static Rectangle CropOf(int width, int height, Random random)
    {
        double area = (double)width * height;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (MinCropArea + random.NextDouble() * (MaxCropArea - MinCropArea));
            double aspect = Math.Exp(Math.Log(MinAspect) + random.NextDouble() * (Math.Log(MaxAspect) - Math.Log(MinAspect)));
            int w = (int)Math.Round(Math.Sqrt(target * aspect)), h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w < 1 || h < 1 || w > width || h > height) continue;
            return new Rectangle(random.Next(width - w + 1), random.Next(height - h + 1), w, h);
        }
        return new Rectangle(0, 0, width, height);
    }

    private static float Jitter(Random random) => (float)(1 - JitterStrength + random.NextDouble() * 2 * JitterStrength);

    private static Image<Rgb24> BackgroundCrop(IReadOnlyList<Image<Rgb24>> scenes, int size, Random random)
    {
        var scene = scenes[random.Next(scenes.Count)];
        int shortSide = Math.Min(scene.Width, scene.Height);
        int side = Math.Max(1, (int)(shortSide * Math.Sqrt(0.3 + random.NextDouble() * 0.7)));
        var box = new Rectangle(random.Next(scene.Width - side + 1), random.Next(scene.Height - side + 1), side, side);
        bool flip = random.NextDouble() < FlipChance;
        return scene.Clone(c =>
        {
            c.Crop(box).Resize(new ResizeOptions { Size = new Size(size, size), Mode = ResizeMode.Stretch, Sampler = KnownResamplers.Triangle });
            if (flip) c.Flip(FlipMode.Horizontal);
        });
    }

    private static Image<Rgb24> Reencode(Image<Rgb24> view, int quality)
    {
        using (view)
        {
            using var buffer = new MemoryStream();
            view.Save(buffer, new JpegEncoder { Quality = quality });
            buffer.Position = 0;
            return Image.Load<Rgb24>(buffer);
        }
    }
}

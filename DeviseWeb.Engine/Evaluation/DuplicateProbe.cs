using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DeviseWeb.Engine.Evaluation;

/// <summary>
/// Does a photo already in the gallery come back first? Makes three copies of each evaluation image, as a person's
/// own copy would differ (resized to half, re-encoded as JPEG quality 60, centre-cropped to 80 %), searches for each
/// as a reference photo over the whole gallery with the product's photo ranking, and counts the copies whose
/// original (or a picture of it the gallery holds twice) is the first result. The backbone runs on every copy, one
/// call per core at a time.
/// </summary>
public sealed class DuplicateProbe(GalleryService gallery, SafeImageLoader loader, FeatureStore features, PhotoRanking ranking)
{
    internal const int CopiesPerImage = 3;

    /// <summary>Hit@1 of the copies of <paramref name="set"/>'s images (null when none could be read); <paramref name="done"/> hears the images done.</summary>
    internal Metric? Measure(LoadedModel model, IReadOnlyList<int> set, Action<long> done, CancellationToken cancellationToken) =>
        Score(model, CopyFeatures(set, done, cancellationToken), PhotoRanking.FeatureWeight, centre: true, cancellationToken);

    /// <summary>Backbone features of each image's copies, in set order; an image deleted or unreadable since has none.</summary>
    internal IReadOnlyList<(int Id, float[][] Copies)> CopyFeatures(IReadOnlyList<int> set, Action<long> done, CancellationToken cancellationToken)
    {
        var result = new (int, float[][])[set.Count];
        int finished = 0;
        Parallel.For(0, set.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, i =>
        {
            result[i] = (set[i], Extract(set[i], cancellationToken));
            done(Interlocked.Increment(ref finished));
        });
        return result;
    }

    /// <summary>The share of copies whose original ranks first, searching the version's gallery as a reference photo would.</summary>
    internal Metric? Score(LoadedModel model, IReadOnlyList<(int Id, float[][] Copies)> probes, float featureWeight, bool centre,
        CancellationToken cancellationToken, Action<int, int, int?>? missed = null)
    {
        int hits = 0, copies = 0;
        foreach (var (id, photos) in probes)
        {
            if (photos.Length == 0) continue;
            var embeddings = model.Embed(photos, cancellationToken);
            for (int i = 0; i < photos.Length; i++)
            {
                var top = ranking.Search(model.Index, [photos[i]], embeddings[i], featureWeight, 1, centre: centre);
                copies++;
                if (top.Count > 0 && IsCopyOf(top[0].Id, id, photos[i])) hits++;
                else missed?.Invoke(id, i, top.Count > 0 ? top[0].Id : null);
            }
        }
        return copies == 0 ? null : new Metric(hits / (double)copies, 1.0 / Math.Max(1, model.Index.Count), copies);
    }

    /// <summary>
    /// The original, or another picture of it the gallery holds (the demo has a photograph twice, from two GCompris
    /// activities): an image whose backbone features are at least as close to the original's as the copy's are.
    /// </summary>
    private bool IsCopyOf(int found, int original, float[] copy)
    {
        if (found == original) return true;
        if (features.Get(found) is not { } other || features.Get(original) is not { } stored) return false;
        return VectorMath.Cosine(other, stored) >= VectorMath.Cosine(copy, stored);
    }

    private float[][] Extract(int id, CancellationToken cancellationToken)
    {
        LoadedImage original;
        try { original = loader.Load(gallery.OriginalPath(id)); }
        catch (Exception e) when (e is NotFoundException or ImageRejectedException or IOException) { return []; }
        using (original)
        {
            var result = new List<float[]>(CopiesPerImage);
            foreach (var (name, bytes) in Copies(original.Pixels))
            {
                using var copy = loader.Decode(bytes, name, cancellationToken: cancellationToken);
                result.Add(features.Extractor.Extract(copy, cancellationToken));
            }
            return [.. result];
        }
    }

    /// <summary>The three copies of an image, encoded as files: half size (PNG), JPEG quality 60, the centre 80 % (PNG).</summary>
    internal static IEnumerable<(string Name, byte[] Bytes)> Copies(Image<Rgb24> pixels)
    {
        int w = pixels.Width, h = pixels.Height;
        using (var half = pixels.Clone(x => x.Resize(Math.Max(1, w / 2), Math.Max(1, h / 2))))
            yield return ("copy-half.png", Encode(half, new PngEncoder()));
        yield return ("copy-q60.jpg", Encode(pixels, new JpegEncoder { Quality = 60 }));
        int cw = Math.Max(1, w * 8 / 10), ch = Math.Max(1, h * 8 / 10);
        using (var centre = pixels.Clone(x => x.Crop(new Rectangle((w - cw) / 2, (h - ch) / 2, cw, ch))))
            yield return ("copy-centre.png", Encode(centre, new PngEncoder()));
    }

    private static byte[] Encode(Image<Rgb24> image, SixLabors.ImageSharp.Formats.IImageEncoder encoder)
    {
        using var stream = new MemoryStream();
        image.Save(stream, encoder);
        return stream.ToArray();
    }
}

using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;

namespace DeviseWeb.Engine.Search;

/// <summary>
/// Photos uploaded to search with, kept outside the gallery and content-addressed so a share link to them keeps
/// working. Bounded: at most <see cref="EngineOptions.ReferencePhotoLimit"/> files, each kept
/// <see cref="EngineOptions.ReferencePhotoDays"/> days after its last use; their backbone features are cached
/// for the most recent few.
/// </summary>
public sealed class ReferencePhotos(EngineOptions options, SafeImageLoader loader, FeatureStore features)
{
    private const int CachedFeatures = 256;
    private readonly BoundedCache<string, float[]> _features = new(CachedFeatures, StringComparer.Ordinal);
    private readonly object _sweepLock = new();

    private string Directory => options.ReferencesDirectory;

    /// <summary>Keeps a photo for searching and returns its hash. Rejects bad files with the reason.</summary>
    public async Task<string> StoreAsync(Stream content, string fileName, CancellationToken cancellationToken = default)
    {
        using var image = await loader.LoadAsync(content, Path.GetFileName(fileName), cancellationToken).ConfigureAwait(false);
        string path = PathOf(image.ContentHash);
        if (File.Exists(path)) File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        else
        {
            System.IO.Directory.CreateDirectory(Directory);
            string temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            await File.WriteAllBytesAsync(temporary, image.Bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        _features.Set(image.ContentHash, await Task.Run(() => features.Extractor.Extract(image, cancellationToken), cancellationToken).ConfigureAwait(false));
        Sweep(keep: image.ContentHash);
        return image.ContentHash;
    }

    public bool Exists(string hash) => IsHash(hash) && File.Exists(PathOf(hash));

    /// <summary>The stored file of a reference photo.</summary>
    public string PathFor(string hash) => Exists(hash) ? PathOf(hash) : throw new NotFoundException($"No reference photo {hash}.");

    /// <summary>
    /// Backbone features of a stored reference photo; using it keeps it from expiring. A photo not in the cache is
    /// decoded (waiting for a decode slot without holding a thread) and run through the backbone on the pool.
    /// </summary>
    public async Task<float[]> FeaturesOfAsync(string hash, CancellationToken cancellationToken = default)
    {
        var path = PathFor(hash);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        if (_features.TryGet(hash, out var cached)) return cached;
        using var image = await loader.LoadAsync(path, cancellationToken).ConfigureAwait(false);
        var vector = await Task.Run(() => features.Extractor.Extract(image, cancellationToken), cancellationToken).ConfigureAwait(false);
        _features.Set(hash, vector);
        return vector;
    }

    /// <summary>Deletes photos unused for longer than the expiry, then the least recently used beyond the limit.</summary>
    public int Sweep(string? keep = null)
    {
        lock (_sweepLock)
        {
            if (!System.IO.Directory.Exists(Directory)) return 0;
            var files = new DirectoryInfo(Directory).EnumerateFiles().Where(f => IsHash(f.Name) && f.Name != keep)
                .OrderByDescending(f => f.LastWriteTimeUtc).ToList();
            var cutoff = DateTime.UtcNow.AddDays(-options.ReferencePhotoDays);
            int room = options.ReferencePhotoLimit - (keep is null ? 0 : 1);
            var doomed = files.Where((f, i) => f.LastWriteTimeUtc < cutoff || i >= room).ToList();
            foreach (var file in doomed)
            {
                try
                {
                    file.Delete();
                    _features.Remove(file.Name);
                }
                catch (IOException) { }
            }
            return doomed.Count;
        }
    }

    private string PathOf(string hash) => Path.Combine(Directory, hash);

    private static bool IsHash(string value) => value.Length == 64 && value.All(char.IsAsciiHexDigitLower);
}

using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace DeviseWeb.Engine.Features;

/// <summary>
/// Backbone features of augmented views of the gallery's images (<see cref="ViewAugmentation"/>): an unquantized
/// vector column per background and view index, beside the backbone's own column, opened on first use. A deleted
/// image leaves every view column with the store's one removed-id set, and compaction rewrites these columns too.
/// </summary>
public sealed class FeatureViewStore(EngineOptions options, DeviseDatabase database, VectorColumnStore columns, FeatureStore features,
    ILogger<FeatureViewStore> logger) : IDisposable
{
    /// <summary>Most views per image a job or a training run may ask for.</summary>
    public const int MaxViews = 16;

    private readonly object _lock = new();
    private readonly Dictionary<string, InProcessVectorIndex> _open = new(StringComparer.Ordinal);

    public static string BackgroundName(ViewBackground background) => background.ToString().ToLowerInvariant();

    /// <summary>Stores one view's features (inside the caller's transaction, if any).</summary>
    public void Add(ViewBackground background, int view, int imageId, float[] vector) => Index(background, view).Add(imageId, vector);

    /// <summary>Ids of the images that have this view.</summary>
    public IReadOnlySet<int> IdsWith(ViewBackground background, int view) => Index(background, view).Ids().ToHashSet();

    /// <summary>One view's features of the given images, in order; null where an image lacks it.</summary>
    public float[]?[] GetMany(ViewBackground background, int view, IReadOnlyList<int> imageIds) => Index(background, view).GetMany(imageIds);

    /// <summary>
    /// Views 0…count−1 of the given images, as [view][row]. Every image must have them: a run trained on some views
    /// and not others would measure something nobody asked for, so a gap fails and names the job that fills it.
    /// </summary>
    public float[][][] RequireMany(ViewBackground background, int count, IReadOnlyList<int> imageIds)
    {
        var result = new float[count][][];
        for (int view = 0; view < count; view++)
        {
            var rows = GetMany(background, view, imageIds);
            int missing = rows.Count(r => r is null);
            if (missing > 0)
                throw new ConflictException($"{missing:N0} of {imageIds.Count:N0} images lack augmented view {view + 1} of {count} on {BackgroundName(background)}: " +
                    $"run the views job first (CLI: views --count {count}{(background == ViewBackground.Scenes ? " --backgrounds" : "")}).");
            result[view] = rows!;
        }
        return result;
    }

    /// <summary>Drops an image's views from the open columns; columns opened later never load it (the store's removed set).</summary>
    public void Remove(int imageId)
    {
        List<InProcessVectorIndex> open;
        lock (_lock) open = [.. _open.Values];
        foreach (var index in open) index.Remove(imageId);
    }

    /// <summary>Rewrites every view column without deleted images' rows.</summary>
    public async Task CompactAsync(CancellationToken cancellationToken)
    {
        foreach (var name in columns.ColumnNames().Where(n => n.StartsWith(VectorColumnStore.ViewsPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            await Open(name, columns.DimensionOf(name) ?? features.Dimension).CompactAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private InProcessVectorIndex Index(ViewBackground background, int view)
    {
        if (view is < 0 or >= MaxViews) throw new ArgumentOutOfRangeException(nameof(view), view, $"A view index is between 0 and {MaxViews - 1}.");
        return Open(VectorColumnStore.ViewsColumn(features.Backbone, BackgroundName(background), view), features.Dimension);
    }

    private InProcessVectorIndex Open(string name, int dimension)
    {
        lock (_lock)
            if (_open.TryGetValue(name, out var index)) return index;
        // The store's write lock first, then this one: the order every writer uses (as FeatureStore does).
        return database.Write(() =>
        {
            lock (_lock)
            {
                if (_open.TryGetValue(name, out var index)) return index;
                index = InProcessVectorIndex.Open(columns.Open(name, dimension, quantized: false), new VectorIndexOptions
                {
                    SealRows = options.VectorSealRows,
                    BackgroundError = e => logger.LogWarning(e, "A view column's background seal or compaction failed; it is retried"),
                });
                _open[name] = index;
                return index;
            }
        });
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var index in _open.Values) index.Dispose();
            _open.Clear();
        }
    }
}

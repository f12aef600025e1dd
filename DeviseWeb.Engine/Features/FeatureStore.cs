using System.Numerics.Tensors;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using Microsoft.Extensions.Logging;

namespace DeviseWeb.Engine.Features;

/// <summary>
/// Every gallery image's backbone features, computed once at import so training and re-embedding never run the
/// backbone again: an unquantized vector column per backbone, opened on first use. The backbone model itself is
/// loaded only when an image has to be read (import, a reference photo), not to search.
/// </summary>
public sealed class FeatureStore(EngineOptions options, DeviseDatabase database, VectorColumnStore columns, VectorIndexes indexes,
    Lazy<IFeatureExtractor> extractor, ILogger<FeatureStore> logger) : IDisposable
{
    /// <summary>Rows <see cref="Mean"/> averages at most.</summary>
    public const int MeanSampleRows = 50_000;

    private readonly object _lock = new();
    private IVectorIndex? _index;
    private volatile CachedMean? _mean;

    private sealed record CachedMean(int Count, float[] Vector);

    public IFeatureExtractor Extractor => extractor.Value;

    private string? _backbone;

    /// <summary>Names the backbone the stored features come from, e.g. "ResNet18:512".</summary>
    public string Backbone
    {
        get
        {
            _ = Index;
            return _backbone!;
        }
    }

    public int Dimension => Index.Dimension;

    /// <summary>Images with stored features.</summary>
    public int Count => Index.Count;

    /// <summary>Bytes of the stored features held in this process (<see cref="IVectorIndex.VectorBytes"/>).</summary>
    public long VectorBytes => Index.VectorBytes;

    internal IVectorIndex Index
    {
        get
        {
            lock (_lock)
                if (_index is not null) return _index;
            // Opening writes to the store, and an import adds features holding the store's write lock: taking that
            // lock first here keeps the one order every writer uses (the store's, then this one), so no deadlock.
            return database.Write(() =>
            {
                lock (_lock)
                    return _index ??= indexes.Open(OpenColumn(), new VectorIndexOptions
                    {
                        SealRows = options.VectorSealRows,
                        BackgroundError = e => logger.LogWarning(e, "The feature index's background seal or compaction failed; it is retried"),
                    });
            });
        }
    }

    /// <summary>
    /// The backbone's column. An existing one is found by the backbone's name (the model file's, with "-int8" for the
    /// int8 backbone), so deleting or training never loads the backbone just to learn its name and width. A store
    /// whose features came from the same model at the other precision is refused rather than given a new empty column:
    /// its images would all lack features until imported again, and the two precisions' features must not mix.
    /// </summary>
    private IVectorColumn OpenColumn()
    {
        var names = columns.ColumnNames();
        string? Existing(string backbone)
        {
            string prefix = VectorColumnStore.FeaturesColumn(backbone + ":");
            return names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).FirstOrDefault();
        }
        var existing = Existing(options.BackboneName);
        if (existing is not null && columns.DimensionOf(existing) is int dimension)
        {
            _backbone = existing[VectorColumnStore.FeaturesColumn("").Length..];
            return columns.Open(existing, dimension, quantized: false);
        }
        var other = options.BackbonePrecision == BackbonePrecision.Float ? BackbonePrecision.Int8 : BackbonePrecision.Float;
        if (Existing(options.BackboneNameFor(other)) is { } otherColumn && indexes.HasRows(otherColumn))
            throw new ConflictException($"This data directory's image features come from the {other} backbone ({otherColumn[VectorColumnStore.FeaturesColumn("").Length..]}), " +
                $"and {EngineOptions.SectionName}:{nameof(EngineOptions.BackbonePrecision)} is {options.BackbonePrecision}: set it back to {other}, or import into a new data directory.");
        _backbone = Extractor.Name;
        return columns.Open(VectorColumnStore.FeaturesColumn(Extractor.Name), Extractor.Dimension, quantized: false);
    }

    /// <summary>Stores an image's features (inside the caller's transaction, if any).</summary>
    public void Add(int imageId, float[] features) => Index.Add(imageId, features);

    public void Remove(int imageId) => Index.Remove(imageId);

    public float[]? Get(int imageId) => Index.Get(imageId);

    public bool Contains(int imageId) => Index.Contains(imageId);

    /// <summary>Whether each image has stored features, in the given order.</summary>
    public bool[] ContainsMany(IReadOnlyList<int> imageIds) => Index.ContainsMany(imageIds);

    /// <summary>Features of the given images, in the given order; null where an image has none (deleted meanwhile).</summary>
    public float[]?[] FindMany(IReadOnlyList<int> imageIds) => Index.GetMany(imageIds);

    /// <summary>Features of the given images, in the given order; an id without features throws.</summary>
    public float[][] GetMany(IReadOnlyList<int> imageIds) =>
        Index.GetMany(imageIds).Select((vector, i) => vector ?? throw new NotFoundException($"Image {imageIds[i]} has no stored features; import it again.")).ToArray();

    /// <summary>
    /// The mean of the stored unit feature vectors (from at most <see cref="MeanSampleRows"/> evenly spaced rows): the
    /// centre photo similarity measures from. Kept until the gallery grows or shrinks by a twentieth; zeros when empty.
    /// </summary>
    public float[] Mean()
    {
        var index = Index;
        int count = index.Count;
        var cached = _mean;
        if (cached is not null && Math.Abs(count - cached.Count) <= cached.Count / 20) return cached.Vector;
        var mean = new float[index.Dimension];
        var sample = EvenlySpaced.Take(index.Ids(), MeanSampleRows);
        int used = 0;
        foreach (var chunk in sample.Chunk(4096))
            foreach (var vector in index.GetMany(chunk))
                if (vector is not null)
                {
                    TensorPrimitives.Add(mean, vector, mean);
                    used++;
                }
        if (used > 0) TensorPrimitives.Divide(mean, used, mean);
        _mean = new CachedMean(count, mean);
        return mean;
    }

    /// <summary>Ids of every image with stored features, ascending.</summary>
    public IReadOnlyList<int> Ids() => Index.Ids();

    public void Dispose()
    {
        lock (_lock) _index?.Dispose();
    }
}

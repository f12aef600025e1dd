using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using DeviseWeb.Engine.Training.Methods;

namespace DeviseWeb.Engine.Models;

/// <summary>
/// A model version ready to serve: its record, the gallery's embeddings under it (an index over its vector
/// column) and its head (with the mapping around it), loaded on first use (a text search never needs libtorch). Reference-counted: the
/// <see cref="ModelService"/> holds one reference while the version is active or cached, and every search holds
/// one while it runs, so an evicted version is disposed only after its last search. Its last release joins the
/// index's worker, so it never happens under the store's lock (Storage/README.md).
/// </summary>
internal sealed class LoadedModel
{
    private readonly Func<ImageEmbedder> _loadEmbedder;
    private readonly object _embedLock = new();
    private ImageEmbedder? _embedder; // loaded on first use, under _embedLock; a failed load is tried again next time
    private readonly HashSet<int> _train, _validation;
    private readonly HashSet<string> _heldOutLabels;
    private int _references = 1;

    private readonly Action<LoadedModel> _released;

    /// <param name="loaded">The embedder when it is at hand already (a version just trained): it is this model's from now on.</param>
    public LoadedModel(ModelRecord record, IVectorIndex index, Func<ImageEmbedder> loadEmbedder, Action<LoadedModel> released,
        ImageEmbedder? loaded = null)
    {
        _released = released;
        _embedder = loaded;
        Record = record;
        Index = index;
        _loadEmbedder = loadEmbedder;
        _train = [.. record.TrainImageIds];
        _validation = [.. record.ValidationImageIds];
        _heldOutLabels = new HashSet<string>(record.HeldOutLabels, StringComparer.Ordinal);
    }

    public ModelRecord Record { get; }

    public int Id => Record.Id;

    public IVectorIndex Index { get; }

    public SplitKind SplitOf(int imageId, string label) =>
        _heldOutLabels.Contains(label) ? SplitKind.HeldOut
        : _train.Contains(imageId) ? SplitKind.Train
        : _validation.Contains(imageId) ? SplitKind.Validation
        : SplitKind.Unassigned;

    public bool IsHeldOut(string label) => _heldOutLabels.Contains(label);

    /// <summary>Predicted unit vectors for backbone features, in batches.</summary>
    public float[][] Embed(IReadOnlyList<float[]> features, CancellationToken cancellationToken = default)
    {
        if (features.Count == 0) return [];
        lock (_embedLock)
        {
            _embedder ??= _loadEmbedder();
            return _embedder.Embed(features, cancellationToken);
        }
    }

    /// <summary>
    /// Loads the head and label transfer's reference now, if not yet: before the store's lock is taken for work that
    /// embeds (an activation's switch, an import's insert), so the load never happens under it.
    /// </summary>
    public void LoadEmbedder()
    {
        lock (_embedLock) _embedder ??= _loadEmbedder();
    }

    public bool TryAddReference()
    {
        int current;
        do
        {
            current = Volatile.Read(ref _references);
            if (current == 0) return false;
        } while (Interlocked.CompareExchange(ref _references, current + 1, current) != current);
        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) != 0) return;
        try
        {
            Index.Dispose(); // first: until its worker has stopped, a seal may still commit to the column
            lock (_embedLock)
            {
                _embedder?.Dispose();
                _embedder = null;
            }
        }
        finally
        {
            _released(this);
        }
    }
}

/// <summary>A model version held for the length of one request; dispose it to let the version go.</summary>
internal readonly struct ModelLease(LoadedModel model) : IDisposable
{
    public LoadedModel Model { get; } = model;

    public void Dispose() => Model.Release();
}

using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace DeviseWeb.Engine.Models;

/// <summary>
/// Model versions: which one is active, older ones loaded on demand for share links pinned to them (a small
/// LRU cache), and activation. Each version's gallery embeddings are a vector column of their own; activating
/// a version embeds what its column lacks and swaps it in whole, so searches never see half of a switch.
/// </summary>
public sealed class ModelService : IDisposable
{
    private const int EmbedBatch = 4096;
    private readonly EngineOptions _options;
    private readonly DeviseDatabase _database;
    private readonly ModelRepository _models;
    private readonly VectorColumnStore _columns;
    private readonly FeatureStore _features;
    private readonly ImageEmbedderFactory _embedders;
    private readonly ILogger<ModelService> _logger;
    private readonly object _lock = new();
    private readonly object _loadLock = new();
    private readonly LinkedList<LoadedModel> _pinned = new(); // most recently used first
    // Every version loaded and not yet disposed (active, cached, or evicted but still in use by a search), so a
    // version is never opened twice: two indexes over one column would both seal its rows.
    private readonly Dictionary<int, LoadedModel> _alive = [];
    private LoadedModel? _active;

    public ModelService(EngineOptions options, DeviseDatabase database, ModelRepository models, VectorColumnStore columns,
        FeatureStore features, ImageEmbedderFactory embedders, ILogger<ModelService> logger)
    {
        _embedders = embedders;
        _options = options;
        _database = database;
        _models = models;
        _columns = columns;
        _features = features;
        _logger = logger;
        if (_models.ActiveId is int id && _models.Find(id) is { } record) _active = Load(record);
    }

    public int? ActiveModelId => Volatile.Read(ref _active)?.Id;

    /// <summary>Labels the active model held out of training; empty without one.</summary>
    public IReadOnlyList<string> HeldOutLabels => Volatile.Read(ref _active)?.Record.HeldOutLabels ?? [];

    /// <summary>Where an image falls in the active model's split.</summary>
    public SplitKind SplitOf(int imageId, string label) => Volatile.Read(ref _active)?.SplitOf(imageId, label) ?? SplitKind.Unassigned;

    /// <summary>How many gallery images the active model has embedded.</summary>
    public int IndexedCount => Volatile.Read(ref _active)?.Index.Count ?? 0;

    public IReadOnlyList<ModelVersionInfo> List()
    {
        int? active = ActiveModelId;
        return _models.All().Select(m => ToInfo(m, m.Id == active)).ToList();
    }

    public ModelVersionInfo Get(int modelId) =>
        _models.Find(modelId) is { } m ? ToInfo(m, m.Id == ActiveModelId) : throw new NotFoundException($"No model version {modelId}.");

    internal static ModelVersionInfo ToInfo(ModelRecord m, bool active) => new(
        m.Id, m.CreatedUtc, m.Options, m.Architecture, m.HeldOutLabels, m.TrainImageIds.Count, m.ValidationImageIds.Count,
        m.HeldOutImageIds.Count, m.History, m.Evaluation, m.DurationSeconds, active);

    /// <summary>The active version (null) or a given one, held until the lease is disposed.</summary>
    internal ModelLease Acquire(int? modelId = null) => new(Find(modelId));

    /// <summary>
    /// The version with a reference taken for the caller under the lock, before the cache can evict it: with a
    /// cache smaller than the versions asked for (size 0, say) a freshly loaded version is evicted at once, and
    /// taking the reference afterwards found it disposed, every time.
    /// </summary>
    private LoadedModel Find(int? modelId)
    {
        lock (_lock)
        {
            if (modelId is null || modelId == _active?.Id)
                return Held(_active ?? throw new ConflictException("No trained model yet: train one first (CLI: train; web: the Training page)."));
            if (Pinned(modelId.Value) is { } cached)
            {
                _pinned.Remove(cached);
                _pinned.AddFirst(cached);
                return Held(cached.Value);
            }
        }
        // One load at a time, so two requests for the same version never open two indexes over one column.
        lock (_loadLock)
        {
            LoadedModel? loaded = null;
            lock (_lock)
            {
                if (modelId == _active?.Id || Pinned(modelId.Value) is not null) return Find(modelId);
                if (_alive.TryGetValue(modelId.Value, out var alive) && alive.TryAddReference()) loaded = alive; // evicted but still in use
            }
            loaded ??= Load(_models.Find(modelId.Value) ?? throw new NotFoundException($"No model version {modelId}."));
            lock (_lock)
            {
                Held(loaded);
                _pinned.AddFirst(loaded);
                while (_pinned.Count > Math.Max(0, _options.PinnedModelCacheSize) && _pinned.Last is { } last)
                {
                    _pinned.RemoveLast();
                    last.Value.Release();
                }
            }
            return loaded;
        }
    }

    /// <summary>Under the lock the active and cached versions hold the service's reference, so one more always succeeds.</summary>
    private static LoadedModel Held(LoadedModel model) =>
        model.TryAddReference() ? model : throw new InvalidOperationException($"Model version {model.Id} was released while in use.");

    private LinkedListNode<LoadedModel>? Pinned(int modelId)
    {
        for (var node = _pinned.First; node is not null; node = node.Next)
            if (node.Value.Id == modelId) return node;
        return null;
    }

    /// <summary>The versions holding gallery embeddings in memory now (active and cached), each held: a new or deleted image changes every one.</summary>
    internal IReadOnlyList<ModelLease> AcquireLoaded()
    {
        lock (_lock)
        {
            return _alive.Values.Where(m => m.TryAddReference()).Select(m => new ModelLease(m)).ToList();
        }
    }

    /// <summary>Makes a version the one searches use, embedding what its column lacks first; searches keep the old one meanwhile.</summary>
    internal Task<ModelVersionInfo> ActivateAsync(int modelId, IProgress<JobProgress>? progress, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var record = _models.Find(modelId) ?? throw new NotFoundException($"No model version {modelId}.");
        FiniteModelCheck.ThrowIfNotActivatable(modelId, record.History, record.Evaluation);
        lock (_loadLock)
        {
            if (ActiveModelId == modelId) return ToInfo(record, true);
            LoadedModel? model;
            lock (_lock)
            {
                // A cached version moves to active with the cache's reference; one evicted but in use is shared.
                var cached = Pinned(modelId);
                if (cached is not null) _pinned.Remove(cached);
                model = cached?.Value ?? (_alive.TryGetValue(modelId, out var alive) && alive.TryAddReference() ? alive : null);
            }
            model ??= Load(record, progress, cancellationToken);
            FaultPoints.Hit(FaultPoints.ActivationBeforeSwitch);
            try { Install(model); }
            catch
            {
                model.Release();
                throw;
            }
        }
        return ToInfo(record, true);
    }, cancellationToken);

    /// <summary>
    /// Makes a loaded version active, taking over the caller's reference. Runs under the store's write lock, so no
    /// upload slips between the last catch-up and the switch. The previous version is released, not cached.
    /// </summary>
    internal void Install(LoadedModel model) => _database.Write(() =>
    {
        CatchUp(model, null, CancellationToken.None);
        _models.SetActive(model.Id);
        _database.AfterCommit(() =>
        {
            LoadedModel? previous;
            lock (_lock)
            {
                previous = _active;
                _active = model;
            }
            previous?.Release();
            _logger.LogInformation("Model version {ModelId} is active ({Count} images indexed)", model.Id, model.Index.Count);
        });
    });

    /// <summary>Refuses a new version before anything is written when its weights and embeddings would not fit on the disk.</summary>
    internal void EnsureRoomForVersion(int images, int dimension, long weightBytes) =>
        DiskSpace.EnsureRoom(_options, weightBytes + (long)images * (dimension * (sizeof(float) + 1) + 16), "a new model version");

    /// <summary>Writes a new version's embeddings as its column (segment files, one commit) and loads it.</summary>
    internal LoadedModel Create(ModelRecord record, IReadOnlyList<int> ids, float[][] embeddings, ImageEmbedder embedder)
    {
        var column = _columns.Open(VectorColumnStore.EmbeddingsColumn(record.Id), record.EmbeddingDimension, quantized: true);
        // Files first, outside the store's lock; then one commit, so the column appears whole or not at all.
        var files = ColumnBulkWriter.WriteSegmentFiles(column, ids, embeddings, _options.VectorSealRows);
        FaultPoints.Hit(FaultPoints.BulkSegmentsWritten);
        try { _database.Write(() => ColumnBulkWriter.Commit(column, files)); }
        catch
        {
            ColumnBulkWriter.Delete(files);
            throw;
        }
        return Register(new LoadedModel(record, InProcessVectorIndex.Open(column, IndexOptions), () => embedder, Forget));
    }

    private VectorIndexOptions IndexOptions => new()
    {
        SealRows = _options.VectorSealRows,
        Device = DeviceChooser.IndexDevice,
        BackgroundError = e => _logger.LogWarning(e, "A vector index's background seal or compaction failed; it is retried"),
    };

    /// <summary>Opens a version's column (creating it when missing) and embeds the images it lacks.</summary>
    private LoadedModel Load(ModelRecord record, IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var column = _columns.Open(VectorColumnStore.EmbeddingsColumn(record.Id), record.EmbeddingDimension, quantized: true);
        var model = Register(new LoadedModel(record, InProcessVectorIndex.Open(column, IndexOptions), () => LoadEmbedder(record), Forget));
        try
        {
            CatchUp(model, progress, cancellationToken);
            return model;
        }
        catch
        {
            model.Release();
            throw;
        }
    }

    private LoadedModel Register(LoadedModel model)
    {
        lock (_lock) _alive[model.Id] = model;
        return model;
    }

    private void Forget(LoadedModel model)
    {
        lock (_lock) if (_alive.GetValueOrDefault(model.Id) == model) _alive.Remove(model.Id);
    }

    private ImageEmbedder LoadEmbedder(ModelRecord record)
    {
        var weights = _models.Weights(record.Id) ?? throw new DeviseException($"Model version {record.Id} has no saved weights.");
        bool classify = record.Options.Mapping == MappingKind.ConSE;
        var head = new DeviseHead(record.FeatureDimension, record.Options.HiddenSize, classify ? record.ClassLabels.Count : record.EmbeddingDimension, record.Options.Dropout);
        try
        {
            head.LoadWeights(weights);
            head.to(DeviceChooser.Device);
            head.eval();
        }
        catch
        {
            head.Dispose();
            throw;
        }
        return _embedders.Create(head, record.Options, record.ClassLabels, record.TrainImageIds, record.DomainScaling);
    }

    /// <summary>Embeds what the active version's index lacks (the store check's repair); returns how many rows it added.</summary>
    internal int EmbedMissing(CancellationToken cancellationToken)
    {
        using var lease = Acquire();
        int before = lease.Model.Index.Count;
        CatchUp(lease.Model, null, cancellationToken);
        return lease.Model.Index.Count - before;
    }

    /// <summary>Embeds every image with features that the model's index lacks (imported after the version was trained).</summary>
    private void CatchUp(LoadedModel model, IProgress<JobProgress>? progress, CancellationToken cancellationToken)
    {
        var featureIds = _features.Ids();
        if (featureIds.Count == model.Index.Count) return; // nothing is ever removed from one and not the other
        var missing = featureIds.Except(model.Index.Ids()).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int start = 0; start < missing.Count; start += EmbedBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = missing.Skip(start).Take(EmbedBatch).ToList();
            var vectors = model.Embed(_features.GetMany(batch));
            FaultPoints.Hit(FaultPoints.CatchUpBatchEmbedded);
            _database.Write(() => { for (int i = 0; i < batch.Count; i++) model.Index.Add(batch[i], vectors[i]); });
            int done = start + batch.Count;
            progress?.Report(new JobProgress(done / (double)missing.Count, done, missing.Count, $"Embedding the gallery: {done:N0} / {missing.Count:N0}", clock.Elapsed));
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _active?.Release();
            foreach (var model in _pinned) model.Release();
            _active = null;
            _pinned.Clear();
        }
    }
}

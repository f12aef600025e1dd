using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using DeviseWeb.Engine.Training.Methods;
using Microsoft.Extensions.Logging;
using TorchSharp;

namespace DeviseWeb.Engine.Models;

/// <summary>
/// Model versions: which one is active, older ones loaded on demand for share links pinned to them (a small
/// LRU cache), and activation. Each version's gallery embeddings are a vector column of their own; activating
/// a version embeds what its column lacks and swaps it in whole, so searches never see half of a switch.
/// Each version loads under its own lock, so a search pinned to one never waits behind another's activation.
/// How a loading version meets concurrent imports and deletes: Storage/README.md.
/// </summary>
public sealed class ModelService : IDisposable
{
    private readonly EngineOptions _options;
    private readonly DeviseDatabase _database;
    private readonly ModelRepository _models;
    private readonly VectorColumnStore _columns;
    private readonly VectorIndexes _indexes;
    private readonly TrainingPipeline _pipeline;
    private readonly ILogger<ModelService> _logger;
    private readonly VersionCatchUp _catchUp;
    private readonly object _lock = new(); // guards _active's swap and _alive; held only briefly
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, object> _loadLocks = []; // one per version: it loads (or activates) one at a time
    private readonly BoundedCache<int, LoadedModel> _pinned; // holds one reference to each cached version
    // Every version loaded and not yet disposed (active, cached, or evicted but still in use by a search), so a
    // version is never opened twice: two indexes over one column would both seal its rows.
    private readonly Dictionary<int, LoadedModel> _alive = [];
    private LoadedModel? _active;

    public ModelService(EngineOptions options, DeviseDatabase database, ModelRepository models, VectorColumnStore columns, VectorIndexes indexes,
        FeatureStore features, TrainingPipeline pipeline, ILogger<ModelService> logger)
    {
        _indexes = indexes;
        _pipeline = pipeline;
        _options = options;
        _database = database;
        _models = models;
        _columns = columns;
        _logger = logger;
        _catchUp = new VersionCatchUp(database, features);
        _pinned = new BoundedCache<int, LoadedModel>(options.PinnedModelCacheSize, evicted: model => model.Release());
        if (_models.ActiveId is int id && _models.Find(id) is { } record)
        {
            if (record.RetiredMethod is null) _active = Load(record);
            else _logger.LogError("{Problem} Until one is trained, no version is active.", RetiredProblem(record));
        }
    }

    public int? ActiveModelId => Volatile.Read(ref _active)?.Id;

    /// <summary>Labels the active model held out of training; empty without one.</summary>
    public IReadOnlyList<string> HeldOutLabels => Volatile.Read(ref _active)?.Record.HeldOutLabels ?? [];

    /// <summary>Where an image falls in the active model's split.</summary>
    public SplitKind SplitOf(int imageId, string label) => Volatile.Read(ref _active)?.SplitOf(imageId, label) ?? SplitKind.Unassigned;

    /// <summary>How many gallery images the active model has embedded.</summary>
    public int IndexedCount => Volatile.Read(ref _active)?.Index.Count ?? 0;

    /// <summary>Bytes of the active version's vectors held in this process (<see cref="IVectorIndex.VectorBytes"/>); 0 before one is loaded.</summary>
    public long IndexedBytes => Volatile.Read(ref _active)?.Index.VectorBytes ?? 0;

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

    /// <summary>The version with a reference taken for the caller.</summary>
    private LoadedModel Find(int? modelId)
    {
        while (true)
        {
            var active = Volatile.Read(ref _active);
            if (modelId is null || modelId == active?.Id)
            {
                if (active is null) throw new ConflictException("No trained model yet: train one first (CLI: train; web: the Training page).");
                if (active.TryAddReference()) return active;
                continue; // released by a switch a moment ago: the new one is active now
            }
            if (_pinned.TryGet(modelId.Value, out var cached) && cached.TryAddReference()) return cached;
            return LoadPinned(modelId.Value);
        }
    }

    /// <summary>
    /// Loads an older version into the cache under its own lock, so two requests never open two indexes over one
    /// column, and none waits behind another version's load or activation. The caller's reference is taken before
    /// the cache can evict the version: with a cache smaller than the versions asked for (size 0, say) a freshly
    /// loaded version is evicted at once.
    /// </summary>
    private LoadedModel LoadPinned(int modelId)
    {
        lock (LoadLockOf(modelId))
        {
            var active = Volatile.Read(ref _active);
            if (active?.Id == modelId && active.TryAddReference()) return active; // activated meanwhile
            if (_pinned.TryGet(modelId, out var cached) && cached.TryAddReference()) return cached; // loaded meanwhile
            var model = InUse(modelId) ?? Load(_models.Find(modelId) ?? throw new NotFoundException($"No model version {modelId}."));
            Held(model);
            _pinned.Set(modelId, model); // the cache takes the first reference; versions it evicts are released
            return model;
        }
    }

    private object LoadLockOf(int modelId) => _loadLocks.GetOrAdd(modelId, _ => new object());

    /// <summary>
    /// A version evicted from the cache but still in use by a search, with a reference taken; null when none. One
    /// whose last reference is going is waited for: until its index has closed, its worker may still commit a seal,
    /// which a second index opened over the column meanwhile would never know of (nor compact away).
    /// </summary>
    private LoadedModel? InUse(int modelId)
    {
        lock (_lock)
        {
            while (_alive.TryGetValue(modelId, out var alive))
            {
                if (alive.TryAddReference()) return alive;
                Monitor.Wait(_lock); // Forget pulses once it is closed; the caller holds only this version's load lock
            }
            return null;
        }
    }

    /// <summary>The caller holds a reference already, so one more always succeeds.</summary>
    private static LoadedModel Held(LoadedModel model) =>
        model.TryAddReference() ? model : throw new InvalidOperationException($"Model version {model.Id} was released while in use.");

    /// <summary>The versions holding gallery embeddings in memory now (active and cached), each held: a new or deleted image changes every one.</summary>
    internal IReadOnlyList<ModelLease> AcquireLoaded()
    {
        lock (_lock)
        {
            return _alive.Values.Where(m => m.TryAddReference()).Select(m => new ModelLease(m)).ToList();
        }
    }

    /// <summary>The passes of an activation job, as its progress names them.</summary>
    internal static readonly (string Name, double Work)[] ActivationPasses =
        [("Opening the version", 1), ("Loading the head", 1), ("Embedding the gallery", 8), ("Switching", 1)];

    /// <summary>
    /// Makes a version the one searches use: opens its column, loads its head and label transfer's reference, embeds what
    /// its column lacks, then switches; searches keep the old one meanwhile. Each is a pass of the job's progress.
    /// </summary>
    internal Task<ModelVersionInfo> ActivateAsync(int modelId, IProgress<JobProgress>? progress, CancellationToken cancellationToken) => Task.Run(() =>
    {
        var record = _models.Find(modelId) ?? throw new NotFoundException($"No model version {modelId}.");
        FiniteModelCheck.ThrowIfNotActivatable(modelId, record.History, record.Evaluation);
        lock (LoadLockOf(modelId))
        {
            if (ActiveModelId == modelId) return ToInfo(record, true);
            var passes = new PhasedProgress(ActivationPasses, p => progress?.Report(p), cancellationToken);
            var opening = passes.Begin(ActivationPasses[0].Name, 1);
            // A cached version moves to active with the cache's reference; one evicted but in use is shared.
            var model = _pinned.TryRemove(modelId, out var cached) ? cached : InUse(modelId) ?? Load(record, catchUp: false);
            try
            {
                opening.Complete();
                var loading = passes.Begin(ActivationPasses[1].Name, 1);
                model.LoadEmbedder(); // here, not under the store's lock in the switch
                loading.Complete();
                var missing = _catchUp.Missing(model);
                var embedding = passes.Begin(ActivationPasses[2].Name, missing.Count);
                _catchUp.Run(model, missing, done => embedding.Report(done), cancellationToken);
                embedding.Complete();
                var switching = passes.Begin(ActivationPasses[3].Name, 1);
                FaultPoints.Hit(FaultPoints.ActivationBeforeSwitch);
                Install(model);
                switching.Complete();
            }
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
    internal void Install(LoadedModel model)
    {
        if (_database.InTransaction) // the switch would wait for the outer commit, and the previous version would never be released
            throw new InvalidOperationException("A model version is installed outside any store transaction.");
        LoadedModel? previous = null;
        _database.Write(() =>
        {
            _catchUp.Run(model, CancellationToken.None);
            _models.SetActive(model.Id);
            _database.AfterCommit(() =>
            {
                lock (_lock)
                {
                    previous = _active;
                    Volatile.Write(ref _active, model);
                }
            });
        });
        // Not in the action: the last release joins the index's worker, which may be waiting for the store's lock.
        previous?.Release();
        _logger.LogInformation("Model version {ModelId} is active ({Count} images indexed)", model.Id, model.Index.Count);
    }

    /// <summary>Refuses a new version before anything is written when its weights and embeddings would not fit on the disk.</summary>
    private void EnsureRoomForVersion(int images, int dimension, long weightBytes) =>
        DiskSpace.EnsureRoom(_options, weightBytes + (long)images * (dimension * (sizeof(float) + 1) + 16), "a new model version");

    /// <summary>
    /// Saves a new version whole, taking over its embedder: its gallery embeddings are written where vectors live
    /// (segment files, or a staging table in PostgreSQL) outside the store's lock (the writing pass of <paramref name="plan"/>), then one commit holds its record and
    /// weights, its column, the version opened in it (so it misses no import or delete after) and, when
    /// <paramref name="activate"/>, the switch to it (the activation pass). A cancel before that commit leaves the store
    /// as it was, the version's reserved number aside (what was written is deleted); once the commit begins, it completes.
    /// </summary>
    internal ModelVersionInfo Publish(ModelRecord record, byte[] weights, IReadOnlyList<int> ids, float[][] embeddings, ImageEmbedder embedder,
        bool activate, TrainingPlan? plan)
    {
        if (_database.InTransaction) // the switch would wait for the outer commit, and the previous version would never be released
            throw new InvalidOperationException("A model version is published outside any store transaction.");
        var cancellationToken = plan?.CancellationToken ?? CancellationToken.None;
        LoadedModel? model = null; // owns the embedder once opened
        LoadedModel? previous = null;
        PendingColumn? written = null;
        PhasedProgress.Pass? switching = null;
        try
        {
            EnsureRoomForVersion(ids.Count, record.EmbeddingDimension, weights.Length);
            do record.Id = _models.ReserveId();
            while (_columns.Exists(VectorColumnStore.EmbeddingsColumn(record.Id))); // one left by an older release's failed run
            string name = VectorColumnStore.EmbeddingsColumn(record.Id);
            var writing = plan?.Begin(TrainingPass.WritingVectors, ids.Count);
            written = _indexes.WriteNew(name, record.EmbeddingDimension, quantized: true, ids, embeddings, _options.VectorSealRows,
                done => writing?.Report(done), cancellationToken);
            FaultPoints.Hit(FaultPoints.BulkSegmentsWritten);
            writing?.Complete();
            switching = activate ? plan?.Begin(TrainingPass.Activation, 1) : null;
            cancellationToken.ThrowIfCancellationRequested(); // the last point where a cancel leaves nothing behind
            _database.Write(() =>
            {
                _models.Add(record, weights);
                var column = _columns.Open(name, record.EmbeddingDimension, quantized: true);
                written.Commit(column);
                model = Open(record, column, () => embedder, embedder);
                if (!activate) return;
                _catchUp.Run(model, CancellationToken.None); // images imported while it trained
                _models.SetActive(record.Id);
                _database.AfterCommit(() =>
                {
                    lock (_lock)
                    {
                        previous = _active;
                        Volatile.Write(ref _active, model);
                    }
                });
            });
        }
        catch
        {
            if (model is null) embedder.Dispose();
            else model.Release();
            written?.Discard();
            throw;
        }
        // Committed. Not in the transaction: a last release joins the index's worker, which may be waiting for the store's lock.
        if (activate)
        {
            previous?.Release();
            _logger.LogInformation("Model version {ModelId} is active ({Count} images indexed)", record.Id, model!.Index.Count);
        }
        else model!.Release();
        switching?.Complete();
        return ToInfo(record, activate);
    }

    private VectorIndexOptions IndexOptions => new()
    {
        SealRows = _options.VectorSealRows,
        Device = DeviceChooser.IndexDevice,
        BackgroundError = e => _logger.LogWarning(e, "A vector index's background seal or compaction failed; it is retried"),
    };

    /// <summary>Opens a version's column (creating it when missing) and, unless the caller does it, embeds the images it lacks.</summary>
    private LoadedModel Load(ModelRecord record, bool catchUp = true)
    {
        ThrowIfRetired(record);
        LoadedModel? model = null;
        try
        {
            _database.Write(() => model = Open(record,
                _columns.Open(VectorColumnStore.EmbeddingsColumn(record.Id), record.EmbeddingDimension, quantized: true), () => LoadEmbedder(record)));
            if (catchUp) _catchUp.Run(model!, CancellationToken.None);
            return model!;
        }
        catch
        {
            model?.Release();
            throw;
        }
    }

    /// <summary>
    /// Opens a version's index inside the caller's transaction, and registers it among the loaded versions when that
    /// commits, in the same hold of the store's lock: every commit before is in what the column reads, and every
    /// commit after sees the version (ImageWriter, GalleryService.Delete). Unregistered if the transaction fails.
    /// </summary>
    private LoadedModel Open(ModelRecord record, IVectorColumn column, Func<ImageEmbedder> loadEmbedder, ImageEmbedder? loaded = null)
    {
        var model = new LoadedModel(record, _indexes.Open(column, IndexOptions), loadEmbedder, Forget, loaded);
        _database.AfterCommit(() => { lock (_lock) _alive[model.Id] = model; });
        return model;
    }

    private void Forget(LoadedModel model)
    {
        lock (_lock)
        {
            if (_alive.GetValueOrDefault(model.Id) == model) _alive.Remove(model.Id);
            Monitor.PulseAll(_lock);
        }
    }

    private ImageEmbedder LoadEmbedder(ModelRecord record) =>
        _pipeline.Restore(record, _models.Weights(record.Id) ?? throw new DeviseException($"Model version {record.Id} has no saved weights."));

    /// <summary>Refuses (a <see cref="ConflictException"/> saying to train again) a version this release cannot load: <see cref="ModelRecord.RetiredMethod"/>.</summary>
    public void ThrowIfRetired(int modelId) => ThrowIfRetired(_models.Find(modelId) ?? throw new NotFoundException($"No model version {modelId}."));

    private static void ThrowIfRetired(ModelRecord record)
    {
        if (record.RetiredMethod is not null) throw new ConflictException(RetiredProblem(record));
    }

    private static string RetiredProblem(ModelRecord record) =>
        $"Model version {record.Id} was trained with {record.RetiredMethod}, which this release no longer has, so it cannot embed new images "
        + "the way it embedded the gallery. Train a new version (the Training page, or the CLI's train).";

    /// <summary>Embeds what the active version's index lacks (the store check's repair); returns how many rows it added.</summary>
    internal int EmbedMissing(CancellationToken cancellationToken)
    {
        using var lease = Acquire();
        int before = lease.Model.Index.Count;
        _catchUp.Run(lease.Model, cancellationToken);
        return lease.Model.Index.Count - before;
    }

    public void Dispose()
    {
        LoadedModel? active;
        lock (_lock)
        {
            active = _active;
            Volatile.Write(ref _active, null);
        }
        active?.Release(); // outside the lock: a release joins its index's worker
        _pinned.Clear();
    }
}

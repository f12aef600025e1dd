using TorchSharp;
using System.Diagnostics;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using static TorchSharp.torch;

namespace DeviseWeb.Engine;

public sealed partial class DeviseEngine
{
    /// <summary>
    /// Trains a new head on the cached features (the backbone never runs), evaluates it, saves it as a model
    /// version and, unless told otherwise, activates it. CPU-bound: runs on the thread pool.
    /// </summary>
    public Task<ModelVersionInfo> TrainAsync(TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems));
        return Task.Run(() => Train(options, progress, cancellationToken), cancellationToken);
    }

    private ModelVersionInfo Train(TrainingOptions options, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var features = _store.AllFeatures(Features.Name);
        var images = _catalog.Values.Where(i => features.ContainsKey(i.Id)).OrderBy(i => i.Id).ToList();
        var split = DatasetSplitter.Split(images.Select(i => (i.Id, i.Label)).ToList(), options);
        var labels = images.Select(i => i.Label).Distinct().Order(StringComparer.Ordinal).ToList();
        var labelVectors = labels.Zip(LabelVectors(labels, cancellationToken)).ToDictionary(p => p.First, p => p.Second, StringComparer.Ordinal);
        var labelOf = images.ToDictionary(i => i.Id, i => i.Label);
        TrainingSet SetOf(IReadOnlyList<int> ids) => new(ids.Select(id => features[id]).ToArray(), ids.Select(id => labelVectors[labelOf[id]]).ToArray());

        var (head, history) = new HeadTrainer(Device).Train(SetOf(split.TrainImageIds), SetOf(split.ValidationImageIds), options, progress, cancellationToken);
        var ids = images.Select(i => i.Id).ToArray();
        var embeddings = EmbedFeatures(head, ids.Select(id => features[id]).ToArray());
        var evaluation = Evaluator.Evaluate(
            new EvaluationInput(ids, images.Select(i => i.Label).ToList(), embeddings, labels, labels.Select(l => labelVectors[l]).ToArray()),
            split.ValidationImageIds, split.HeldOutImageIds, split.HeldOutLabels, history.LastOrDefault()?.ValidationLoss);

        cancellationToken.ThrowIfCancellationRequested();
        var record = new ModelRecord
        {
            CreatedUtc = DateTime.UtcNow, Options = options, Backbone = Features.Name, TextEncoder = Text.Name,
            Architecture = DeviseHead.Describe(Features.Dimension, options.HiddenSize, Text.Dimension, options.Dropout),
            Labels = labels, HeldOutLabels = split.HeldOutLabels.ToList(), TrainImageIds = split.TrainImageIds.ToList(),
            ValidationImageIds = split.ValidationImageIds.ToList(), HeldOutImageIds = split.HeldOutImageIds.ToList(),
            History = history, Evaluation = evaluation, DurationSeconds = clock.Elapsed.TotalSeconds, Completed = true,
        };
        _store.AddModel(record, head.SaveWeights());
        _store.SaveEmbeddings(record.Id, ids.Zip(embeddings));
        if (options.Activate)
        {
            lock (_writeLock)
            {
                _store.SetActiveModel(record.Id);
                _active = CompleteSnapshot(new ModelSnapshot(record, head, VectorIndex.Build(ids, embeddings, Text.Dimension, Device)));
            }
        }
        return ToInfo(record, options.Activate);
    }

    /// <summary>Makes a model version the one searches use. The gallery is re-embedded first; searches keep using the old one meanwhile.</summary>
    public Task ActivateModelAsync(int modelId, CancellationToken cancellationToken = default)
    {
        var record = _store.FindModel(modelId);
        if (record is not { Completed: true }) throw new DeviseException($"No model version {modelId}.");
        return Task.Run(() =>
        {
            var snapshot = LoadSnapshot(record, useStoredEmbeddings: false);
            cancellationToken.ThrowIfCancellationRequested();
            _store.SaveEmbeddings(modelId, snapshot.Index.Ids.Zip(snapshot.Index.Vectors()));
            lock (_writeLock)
            {
                _store.SetActiveModel(modelId);
                _active = CompleteSnapshot(snapshot);
                _otherModels.TryRemove(modelId, out _);
            }
        }, cancellationToken);
    }

    /// <summary>The snapshot for a model version: the active one, or another loaded on demand (for share links to older versions).</summary>
    internal ModelSnapshot RequireSnapshot(int? modelId)
    {
        var active = _active;
        if (modelId is null || modelId == active?.Record.Id)
            return active ?? throw new DeviseException("No trained model yet: train one first (CLI: train; web: the Training page).");
        if (_otherModels.TryGetValue(modelId.Value, out var cached)) return cached;
        var record = _store.FindModel(modelId.Value);
        if (record is not { Completed: true }) throw new DeviseException($"No model version {modelId}.");
        return _otherModels.GetOrAdd(modelId.Value, _ => LoadSnapshot(record, useStoredEmbeddings: true));
    }

    private ModelSnapshot LoadSnapshot(ModelRecord record, bool useStoredEmbeddings)
    {
        var weights = _store.ModelWeights(record.Id) ?? throw new DeviseException($"Model version {record.Id} has no saved weights.");
        var features = _store.AllFeatures(record.Backbone);
        var head = new DeviseHead(features.Values.FirstOrDefault()?.Length ?? 512, record.Options.HiddenSize, 384, record.Options.Dropout);
        head.LoadWeights(weights);
        head.to(Device);
        head.eval();
        var stored = useStoredEmbeddings ? _store.EmbeddingsOf(record.Id) : [];
        var missing = _catalog.Keys.Where(id => !stored.ContainsKey(id) && features.ContainsKey(id)).Order().ToArray();
        if (missing.Length > 0)
        {
            var computed = EmbedFeatures(head, missing.Select(id => features[id]).ToArray());
            for (int i = 0; i < missing.Length; i++) stored[missing[i]] = computed[i];
        }
        var ids = stored.Keys.Order().ToArray();
        return new ModelSnapshot(record, head, VectorIndex.Build(ids, ids.Select(id => stored[id]).ToArray(), 384, Device));
    }

    /// <summary>Adds images imported while the snapshot was being built. Call under the write lock.</summary>
    private ModelSnapshot CompleteSnapshot(ModelSnapshot snapshot)
    {
        var missing = _catalog.Keys.Where(id => !snapshot.Index.Contains(id)).ToArray();
        if (missing.Length == 0) return snapshot;
        var index = snapshot.Index;
        foreach (var id in missing)
            if (_store.FeaturesOf(id, snapshot.Record.Backbone) is { } features)
                index = index.With(id, EmbedFeatures(snapshot.Head, [features])[0]);
        return snapshot with { Index = index };
    }

    internal float[][] EmbedFeatures(DeviseHead head, float[][] features)
    {
        if (features.Length == 0) return [];
        using var scope = NewDisposeScope();
        return TensorRows.ToRows(head.Embed(TensorRows.ToTensor(features, features[0].Length).to(Device)));
    }

    /// <summary>Re-measures a model version on its own split against the gallery as it is now.</summary>
    public EvaluationReport Evaluate(int? modelId = null)
    {
        var snapshot = RequireSnapshot(modelId);
        var record = snapshot.Record;
        var ids = snapshot.Index.Ids.ToList(); // images are never removed, so every indexed id is in the catalog
        var imageLabels = ids.Select(id => _catalog[id].Label).ToList();
        var labels = imageLabels.Distinct().Order(StringComparer.Ordinal).ToList();
        var input = new EvaluationInput(ids, imageLabels, snapshot.Index.Vectors(), labels, LabelVectors(labels));
        return Evaluator.Evaluate(input, record.ValidationImageIds, record.HeldOutImageIds, record.HeldOutLabels, record.History.LastOrDefault()?.ValidationLoss);
    }
}

using System.Collections.Concurrent;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;
using static TorchSharp.torch;

namespace DeviseWeb.Engine;

/// <summary>
/// The one facade hosts talk to: import, train, search, keywords, evaluation. Thread-safe and meant to be a
/// process-wide singleton: readers see whole snapshots (catalog entries, the active model and its index),
/// writers swap them under <see cref="_writeLock"/>.
/// </summary>
public sealed partial class DeviseEngine : IDisposable
{
    private readonly DeviseStore _store;
    private readonly Lazy<IFeatureExtractor> _features;
    private readonly Lazy<ITextEncoder> _text;
    private readonly SafeImageLoader _loader;
    private readonly ConcurrentDictionary<int, ImageRecord> _catalog = new();
    private readonly ConcurrentDictionary<string, float[]> _labelVectors = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, ModelSnapshot> _otherModels = new();
    private readonly object _writeLock = new();
    private volatile ModelSnapshot? _active;

    public DeviseEngine(EngineOptions options, IFeatureExtractor? features = null, ITextEncoder? text = null)
    {
        Options = options;
        Directory.CreateDirectory(options.DataDirectory);
        _store = new DeviseStore(options.DatabasePath);
        _loader = new SafeImageLoader(options.MaxFileBytes, options.MaxPixels);
        _features = new Lazy<IFeatureExtractor>(() => features ?? new OnnxFeatureExtractor(
            options.BackboneModelPath, options.PreprocessModelPath, options.BackboneInputSize, options.InferenceThreads));
        _text = new Lazy<ITextEncoder>(() => text ?? new MiniLmTextEncoder());
        foreach (var image in _store.AllImages()) _catalog[image.Id] = image;
        if (_store.ActiveModelId is int activeId && _store.FindModel(activeId) is { } model)
            _active = LoadSnapshot(model, useStoredEmbeddings: true);
    }

    public EngineOptions Options { get; }
    public Device Device => DeviceChooser.Device;
    public SafeImageLoader Loader => _loader;
    internal IFeatureExtractor Features => _features.Value;
    internal ITextEncoder Text => _text.Value;
    public ModelSnapshot? ActiveModel => _active;

    public EngineStatus GetStatus() => new(
        Path.GetFullPath(Options.DataDirectory),
        _catalog.Count,
        _catalog.Values.Select(i => i.Label).Distinct().Count(),
        _store.AllModels().Count(m => m.Completed),
        _active?.Record.Id,
        _active?.Index.Count ?? 0,
        Device.type.ToString(),
        Path.GetFileName(Options.BackboneModelPath),
        _text.IsValueCreated ? Text.Name : "all-MiniLM-L6-v2",
        _vocabulary?.Count);

    public ImageInfo? GetImage(int id) => _catalog.TryGetValue(id, out var record) ? ToInfo(record) : null;

    public ImageInfo RequireImage(int id) => GetImage(id) ?? throw new DeviseException($"No image with id {id}.");

    public byte[]? GetThumbnail(int id) => _catalog.ContainsKey(id) ? _store.Thumbnail(id) : null;

    /// <summary>Full path of the stored original, or null for an unknown id.</summary>
    public string? GetOriginalPath(int id) =>
        _catalog.TryGetValue(id, out var record) ? Path.Combine(Options.DataDirectory, record.StoredFile) : null;

    public ImagePage ListImages(ImageQuery query)
    {
        var active = _active;
        IEnumerable<ImageRecord> images = _catalog.Values.OrderBy(i => i.Id);
        if (!string.IsNullOrWhiteSpace(query.Label)) images = images.Where(i => i.Label == query.Label.Trim().ToLowerInvariant());
        var infos = images.Select(i => ToInfo(i, active));
        if (query.Split is { } split) infos = infos.Where(i => i.Split == split);
        var all = infos.ToList();
        return new ImagePage(all.Skip(Math.Max(0, query.Skip)).Take(Math.Clamp(query.Take, 1, 1000)).ToList(), all.Count);
    }

    public DatasetSummary GetDatasetSummary()
    {
        var active = _active;
        var labels = _catalog.Values.GroupBy(i => i.Label).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new LabelCount(g.Key, g.Count(), active?.IsHeldOut(g.Key) == true ? SplitKind.HeldOut : SplitKind.Train))
            .ToList();
        return new DatasetSummary(_catalog.Count, labels, active?.Record.HeldOutLabels ?? []);
    }

    public IReadOnlyList<ModelVersionInfo> ListModels()
    {
        int? activeId = _active?.Record.Id;
        return _store.AllModels().Where(m => m.Completed).Select(m => ToInfo(m, m.Id == activeId)).ToList();
    }

    public ModelVersionInfo? GetModel(int id) =>
        _store.FindModel(id) is { Completed: true } m ? ToInfo(m, m.Id == _active?.Record.Id) : null;

    private ImageInfo ToInfo(ImageRecord r) => ToInfo(r, _active);

    private static ImageInfo ToInfo(ImageRecord r, ModelSnapshot? active) =>
        new(r.Id, r.Label, r.FileName, r.Width, r.Height, r.ByteCount, r.AddedUtc, active?.SplitOf(r.Id, r.Label) ?? SplitKind.Unassigned);

    private static ModelVersionInfo ToInfo(ModelRecord m, bool active) => new(
        m.Id, m.CreatedUtc, m.Options, m.Architecture, m.HeldOutLabels, m.TrainImageIds.Count, m.ValidationImageIds.Count,
        m.HeldOutImageIds.Count, m.History, m.Evaluation, m.DurationSeconds, active);

    /// <summary>Text vectors of labels, encoded once each.</summary>
    internal float[][] LabelVectors(IReadOnlyList<string> labels, CancellationToken cancellationToken = default)
    {
        var missing = labels.Where(l => !_labelVectors.ContainsKey(l)).Distinct().ToArray();
        if (missing.Length > 0)
        {
            var vectors = Text.Encode(missing, cancellationToken);
            for (int i = 0; i < missing.Length; i++) _labelVectors[missing[i]] = vectors[i];
        }
        return labels.Select(l => _labelVectors[l]).ToArray();
    }

    public void Dispose()
    {
        if (_features.IsValueCreated) (_features.Value as IDisposable)?.Dispose();
        if (_text.IsValueCreated) (_text.Value as IDisposable)?.Dispose();
        _store.Dispose();
    }
}

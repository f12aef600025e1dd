using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>
/// One real engine for a whole test collection: 17 demo labels (5–20 real images each) imported into a temporary
/// data directory, a short model trained on them with 2 labels held out, and a 2,000-word keyword vocabulary
/// (the full WordNet one takes minutes). Shared, so tests may read it and add to it but must not expect it to
/// be exactly as built: use the counts it reports, not constants. Use it through
/// <c>[Collection(TrainedEngineCollection.Name)]</c>; the collection runs its tests one after another, which also
/// keeps its TorchSharp work from overlapping.
/// </summary>
public sealed class TrainedEngineFixture : IAsyncLifetime
{
    public static readonly IReadOnlyList<string> Labels =
        ["airplane", "apple", "bear", "boat", "bus", "car", "cat", "dog", "fish", "flower", "horse", "house", "moon", "pig", "rabbit", "tree", "whale"];

    public static readonly TrainingOptions TrainingOptions = new() { Epochs = 15, HeldOutLabelCount = 2, Seed = 1 };

    public EngineOptions Options { get; } = new()
    {
        DataDirectory = TestData.NewTemporaryDirectory("trained-engine"),
        VocabularyLimit = 2000,
    };

    public string DataDirectory => Options.DataDirectory;

    /// <summary>The folder-per-label copy of the demo labels that was imported.</summary>
    public string DatasetDirectory { get; } = TestData.CopySubset(Labels);

    public DeviseEngine Engine { get; private set; } = null!;

    public ImportSummary Import { get; private set; } = null!;

    /// <summary>The model version trained at start-up (active unless a test activated another).</summary>
    public ModelVersionInfo Model { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Engine = new DeviseEngine(Options);
        Import = await Engine.ImportFolderAsync(DatasetDirectory);
        Model = await Engine.TrainAsync(TrainingOptions);
        await Engine.EnsureVocabularyAsync();
    }

    /// <summary>Gallery images with a given label, lowest id first.</summary>
    public IReadOnlyList<ImageInfo> ImagesOf(string label) => Engine.ListImages(new ImageQuery(label, Take: 1000)).Items;

    /// <summary>A file of the imported dataset, e.g. to upload it again (a duplicate) or search with it.</summary>
    public string DatasetFile(string label) => Directory.GetFiles(Path.Combine(DatasetDirectory, label)).Order(StringComparer.Ordinal).First();

    public Task DisposeAsync()
    {
        Engine?.Dispose();
        DeleteQuietly(DataDirectory);
        DeleteQuietly(DatasetDirectory);
        return Task.CompletedTask;
    }

    private static void DeleteQuietly(string directory)
    {
        try { if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true); }
        catch (IOException) { /* a file still open on a slow disk; the temp folder is cleaned eventually */ }
        catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedEngineCollection : ICollectionFixture<TrainedEngineFixture>
{
    public const string Name = "trained engine";
}

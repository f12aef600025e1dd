using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>
/// One started engine over a private copy of the <see cref="TemplateData"/> for a whole test collection, for tests
/// that read: the gallery, searches, keywords, the model. Shared, so tests may add to it (uploads) but must not
/// delete, relabel or train on it, nor expect it to be exactly as built: use the counts it reports. Tests that
/// change the gallery start their own host (<see cref="EngineHost.StartOnTemplateAsync"/>). Use it through
/// <c>[Collection(TrainedEngineCollection.Name)]</c>; the collection runs its tests one after another.
/// </summary>
public sealed class TrainedEngineFixture : IAsyncLifetime
{
    /// <summary>How the active model was trained.</summary>
    public static TrainingOptions TrainingOptions => TemplateData.TrainingOptions;

    public EngineHost Host { get; private set; } = null!;

    public IServiceProvider Services => Host.Services;

    public string DataDirectory => Host.DataDirectory;

    public T Get<T>() where T : notnull => Host.Get<T>();

    /// <summary>Gallery images with a given label, lowest id first.</summary>
    public IReadOnlyList<ImageInfo> ImagesOf(string label) =>
        Get<GalleryService>().List(new ImageQuery(label, Take: GalleryService.MaxPageSize)).Items;

    /// <summary>The gallery image imported from a given demo file.</summary>
    public ImageInfo ImageOf(string label, string fileName) => ImagesOf(label).Single(i => i.FileName == fileName);

    /// <summary>A demo file that is in the gallery, e.g. to upload it again (a duplicate) or search with it.</summary>
    public string DatasetFile(string label) => TemplateData.Files(label)[0];

    public async Task InitializeAsync() => Host = await EngineHost.StartOnTemplateAsync();

    public async Task DisposeAsync()
    {
        if (Host is not null) await Host.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedEngineCollection : ICollectionFixture<TrainedEngineFixture>
{
    public const string Name = "trained engine";
}

using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;
using LiteDB;

namespace DeviseWeb.Tests.Storage;

/// <summary>
/// A data directory written by the first release (one "features" and one "embeddings" document per image) opens
/// with this one: vectors move into columns, and search, uploads and training go on as before.
/// </summary>
public sealed class LegacyMigrationTests : IAsyncLifetime
{
    private const string Query = "a boat on the sea";
    private readonly string _directory = TestData.NewTemporaryDirectory("legacy");
    private List<(string FileName, float Score)> _templateHits = [];
    private int _imageCount, _modelId;

    /// <summary>Writes the template's gallery and model in the first release's layout, document by document.</summary>
    public async Task InitializeAsync()
    {
        await using var template = await EngineHost.StartOnTemplateAsync();
        var images = template.Get<ImageRepository>();
        var features = template.Get<FeatureStore>();
        var models = template.Get<ModelService>();
        _modelId = models.ActiveModelId!.Value;
        var model = template.Get<ModelRepository>().Find(_modelId)!;
        _templateHits = (await template.Get<SearchService>().SearchTextAsync(Query, k: 8)).Hits.Select(h => (h.Image.FileName, h.Score)).ToList();
        CopyFolder(Path.Combine(template.DataDirectory, "images"), Path.Combine(_directory, "images"));

        using var lease = models.Acquire(_modelId);
        using var legacy = new LiteDatabase(new ConnectionString { Filename = Path.Combine(_directory, "devise.db"), Connection = ConnectionType.Direct }, new BsonMapper());
        var newId = new Dictionary<int, int>();
        foreach (var image in images.All().ToList())
        {
            // Auto ids, as the first release let LiteDB number its images.
            int id = legacy.GetCollection("images", BsonAutoId.Int32).Insert(new BsonDocument
            {
                ["ContentHash"] = image.ContentHash, ["Label"] = image.Label, ["FileName"] = image.FileName, ["StoredFile"] = image.StoredFile,
                ["Width"] = image.Width, ["Height"] = image.Height, ["ByteCount"] = image.ByteCount, ["AddedUtc"] = image.AddedUtc,
            }).AsInt32;
            newId[image.Id] = id;
            legacy.GetCollection("features").Insert(new BsonDocument
            {
                ["_id"] = id, ["Backbone"] = features.Backbone, ["Vector"] = VectorMath.ToBytes(features.Get(image.Id)),
            });
            legacy.GetCollection("thumbnails").Insert(new BsonDocument { ["_id"] = id, ["Jpeg"] = images.Thumbnail(image.Id) });
            legacy.GetCollection("embeddings").Insert(new BsonDocument
            {
                ["_id"] = $"{_modelId}:{id}", ["ModelId"] = _modelId, ["ImageId"] = id, ["Vector"] = VectorMath.ToBytes(lease.Model.Index.Get(image.Id)),
            });
        }
        var record = new BsonMapper().ToDocument(model);
        record.Remove("FeatureDimension");
        record.Remove("EmbeddingDimension");
        foreach (var split in new[] { "TrainImageIds", "ValidationImageIds", "HeldOutImageIds" })
            record[split] = new BsonArray(record[split].AsArray.Select(id => new BsonValue(newId[id.AsInt32])));
        legacy.GetCollection("models").Insert(record);
        legacy.FileStorage.Upload($"$/models/{_modelId}", $"model-{_modelId}.bin", new MemoryStream(template.Get<ModelRepository>().Weights(_modelId)!));
        legacy.GetCollection("settings").Insert(new BsonDocument { ["_id"] = "settings", ["ActiveModelId"] = _modelId });
        _imageCount = newId.Count;
    }

    [Fact]
    public async Task Open_FirstReleaseLayout_MovesTheVectorsAndSearchesAsBefore()
    {
        await using var engine = await EngineHost.StartAsync(_directory);

        var hits = (await engine.Get<SearchService>().SearchTextAsync(Query, k: 8)).Hits;

        Assert.Equal(_templateHits.Select(h => h.FileName), hits.Select(h => h.Image.FileName));
        Assert.All(_templateHits.Zip(hits), p => Assert.Equal(p.First.Score, p.Second.Score, 5));
        Assert.Equal(_imageCount, engine.Get<GalleryService>().Count);
        Assert.Equal(TemplateData.Labels, engine.Get<GalleryService>().Summary().Labels.Select(l => l.Label));
        Assert.Equal((_modelId, _imageCount), (engine.Get<ModelService>().ActiveModelId, engine.Get<ModelService>().IndexedCount));
        Assert.Equal(_imageCount, engine.Get<FeatureStore>().Ids().Count);
        var lite = engine.Get<DeviseDatabase>().Lite;
        Assert.False(lite.CollectionExists("features"));
        Assert.False(lite.CollectionExists("embeddings"));
    }

    [Fact]
    public async Task Open_FirstReleaseLayout_TakesUploadsAndTrainsANewVersion()
    {
        await using var engine = await EngineHost.StartAsync(_directory);
        var gallery = engine.Get<GalleryService>();
        await using var photo = File.OpenRead(TemplateData.NotImportedPath(1));

        var upload = await engine.Get<ImportService>().ImportStreamAsync(photo, "rabbit.png", "rabbit");
        var version = await engine.TrainAsync(new TrainingOptions { Epochs = 3, HeldOutLabelCount = 0 });

        Assert.Equal(_imageCount + 1, upload.Image!.Id);
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, gallery.Thumbnail(1)[..2]);
        Assert.Equal(_modelId + 1, version.Id);
        Assert.Equal(_imageCount + 1, version.TrainCount + version.ValidationCount);
        Assert.Equal(upload.Image.Id, (await engine.Get<SearchService>().SearchAsync(new SearchQuery { ImageIds = [upload.Image.Id], K = 1 })).Hits[0].Image.Id);
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public Task DisposeAsync()
    {
        TemplateData.DeleteQuietly(_directory);
        return Task.CompletedTask;
    }
}

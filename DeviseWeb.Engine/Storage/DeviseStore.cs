using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// The LiteDB file: images, features, thumbnails, embeddings, model versions and their weights.
/// One instance per data directory; LiteDB serialises writers, and multi-document writes run in a transaction.
/// </summary>
public sealed class DeviseStore : IDisposable
{
    private readonly LiteDatabase _database;
    private readonly object _writeLock = new();

    public DeviseStore(string databasePath)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
        var mapper = new BsonMapper();
        mapper.Entity<ImageRecord>().Id(x => x.Id);
        mapper.Entity<ModelRecord>().Id(x => x.Id);
        _database = new LiteDatabase(new ConnectionString { Filename = databasePath, Connection = ConnectionType.Direct }, mapper);
        Images.EnsureIndex(x => x.ContentHash, unique: true);
        Images.EnsureIndex(x => x.Label);
        Embeddings.EnsureIndex(x => x.ModelId);
    }

    private ILiteCollection<ImageRecord> Images => _database.GetCollection<ImageRecord>("images");
    private ILiteCollection<FeatureRecord> Features => _database.GetCollection<FeatureRecord>("features");
    private ILiteCollection<ThumbnailRecord> Thumbnails => _database.GetCollection<ThumbnailRecord>("thumbnails");
    private ILiteCollection<EmbeddingRecord> Embeddings => _database.GetCollection<EmbeddingRecord>("embeddings");
    private ILiteCollection<ModelRecord> Models => _database.GetCollection<ModelRecord>("models");
    private ILiteCollection<SettingsRecord> Settings => _database.GetCollection<SettingsRecord>("settings");

    public ImageRecord? FindImage(int id) => Images.FindById(id);
    public ImageRecord? FindImageByHash(string contentHash) => Images.FindOne(x => x.ContentHash == contentHash);
    public List<ImageRecord> AllImages() => Images.FindAll().ToList();
    public int ImageCount() => Images.Count();
    public byte[]? Thumbnail(int imageId) => Thumbnails.FindById(imageId)?.Jpeg;

    /// <summary>Features of every image from the given backbone, by image id.</summary>
    public float[]? FeaturesOf(int imageId, string backbone) =>
        Features.FindById(imageId) is { } record && record.Backbone == backbone ? VectorMath.FromBytes(record.Vector) : null;

    public Dictionary<int, float[]> AllFeatures(string backbone) =>
        Features.Find(x => x.Backbone == backbone).ToDictionary(x => x.Id, x => VectorMath.FromBytes(x.Vector));

    /// <summary>Adds an image with its features, thumbnail and (when a model is active) embedding, all or nothing.</summary>
    public ImageRecord AddImage(ImageRecord image, FeatureRecord features, byte[] thumbnailJpeg, (int ModelId, float[] Vector)? embedding)
    {
        lock (_writeLock)
        {
            if (!_database.BeginTrans()) throw new InvalidOperationException("A store transaction is already open on this thread.");
            try
            {
                Images.Insert(image);
                features.Id = image.Id;
                Features.Insert(features);
                Thumbnails.Insert(new ThumbnailRecord { Id = image.Id, Jpeg = thumbnailJpeg });
                if (embedding is { } e)
                    Embeddings.Upsert(new EmbeddingRecord { Id = EmbeddingRecord.KeyOf(e.ModelId, image.Id), ModelId = e.ModelId, ImageId = image.Id, Vector = VectorMath.ToBytes(e.Vector) });
                _database.Commit();
                return image;
            }
            catch
            {
                _database.Rollback();
                throw;
            }
        }
    }

    public Dictionary<int, float[]> EmbeddingsOf(int modelId) =>
        Embeddings.Find(x => x.ModelId == modelId).ToDictionary(x => x.ImageId, x => VectorMath.FromBytes(x.Vector));

    public void SaveEmbeddings(int modelId, IEnumerable<(int ImageId, float[] Vector)> vectors)
    {
        lock (_writeLock)
        {
            _database.BeginTrans();
            try
            {
                Embeddings.Upsert(vectors.Select(v => new EmbeddingRecord
                {
                    Id = EmbeddingRecord.KeyOf(modelId, v.ImageId), ModelId = modelId, ImageId = v.ImageId, Vector = VectorMath.ToBytes(v.Vector),
                }));
                _database.Commit();
            }
            catch
            {
                _database.Rollback();
                throw;
            }
        }
    }

    public ModelRecord? FindModel(int id) => Models.FindById(id);
    public List<ModelRecord> AllModels() => Models.FindAll().OrderBy(m => m.Id).ToList();

    /// <summary>Saves a finished model's record and weights together.</summary>
    public ModelRecord AddModel(ModelRecord model, byte[] weights)
    {
        lock (_writeLock)
        {
            _database.BeginTrans();
            try
            {
                Models.Insert(model);
                using var stream = new MemoryStream(weights);
                _database.FileStorage.Upload(WeightsKey(model.Id), $"model-{model.Id}.bin", stream);
                _database.Commit();
                return model;
            }
            catch
            {
                _database.Rollback();
                throw;
            }
        }
    }

    public byte[]? ModelWeights(int modelId)
    {
        var file = _database.FileStorage.FindById(WeightsKey(modelId));
        if (file is null) return null;
        using var output = new MemoryStream();
        file.CopyTo(output);
        return output.ToArray();
    }

    public int? ActiveModelId => Settings.FindById(SettingsRecord.SettingsKey)?.ActiveModelId;

    public void SetActiveModel(int modelId)
    {
        lock (_writeLock) Settings.Upsert(new SettingsRecord { ActiveModelId = modelId });
    }

    private static string WeightsKey(int modelId) => $"$/models/{modelId}";

    public void Dispose() => _database.Dispose();
}

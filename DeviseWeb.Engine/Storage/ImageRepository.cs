using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// Image records, thumbnails and per-label counts. Reads go straight to LiteDB (indexed by id, hash and label),
/// so nothing here grows with the gallery; every write keeps the label counts in step within its transaction.
/// </summary>
public sealed class ImageRepository
{
    private readonly DeviseDatabase _database;

    public ImageRepository(DeviseDatabase database)
    {
        _database = database;
        Images.EnsureIndex(x => x.ContentHash, unique: true);
        Images.EnsureIndex(x => x.Label);
        if (Labels.Count() == 0 && Images.Count() > 0) RecountLabels();
    }

    private ILiteCollection<ImageRecord> Images => _database.Collection<ImageRecord>("images");
    private ILiteCollection<ThumbnailRecord> Thumbnails => _database.Collection<ThumbnailRecord>("thumbnails");
    private ILiteCollection<LabelRecord> Labels => _database.Collection<LabelRecord>("labels");
    private ILiteCollection<SettingsRecord> Settings => _database.Collection<SettingsRecord>("settings");

    public ImageRecord? Find(int id) => Images.FindById(id);

    /// <summary>The records of these ids that exist, in one query (one read transaction, not one per id), in no particular order.</summary>
    public List<ImageRecord> FindMany(IReadOnlyCollection<int> ids) =>
        ids.Count == 0 ? [] : Images.Find(Where.IdIn(ids)).ToList();

    public ImageRecord? FindByHash(string contentHash) => Images.FindOne(Where.Equal(nameof(ImageRecord.ContentHash), contentHash));

    public byte[]? Thumbnail(int id) => Thumbnails.FindById(id)?.Jpeg;

    public int Count => Labels.Query().ToEnumerable().Sum(l => l.Count);

    /// <summary>Every label with its image count, in ordinal order.</summary>
    public IReadOnlyList<LabelRecord> LabelCounts() =>
        Labels.Query().Where(l => l.Count > 0).ToList().OrderBy(l => l.Label, StringComparer.Ordinal).ToList();

    public int CountOf(string label) => Labels.FindById(label)?.Count ?? 0;

    /// <summary>A page of images in id order, optionally of one label.</summary>
    public IReadOnlyList<ImageRecord> Page(string? label, int skip, int take)
    {
        var query = Images.Query();
        if (label is not null) query = query.Where(x => x.Label == label);
        return query.OrderBy(x => x.Id).Skip(skip).Limit(take).ToList();
    }

    /// <summary>Streams every record in id order (a million takes about a second).</summary>
    public IEnumerable<ImageRecord> All() => Images.Query().OrderBy(x => x.Id).ToEnumerable();

    /// <summary>Ids and labels of every image, for training and evaluation.</summary>
    public IReadOnlyList<(int Id, string Label)> IdsAndLabels() =>
        Images.Query().OrderBy(x => x.Id).Select(x => new { x.Id, x.Label }).ToEnumerable().Select(x => (x.Id, x.Label)).ToList();

    /// <summary>Ids of the evaluation-only images, ascending: never trained on, the evaluation set.</summary>
    public IReadOnlyList<int> EvaluationIds() =>
        Images.Query().Where(x => x.Evaluation).OrderBy(x => x.Id).Select(x => x.Id).ToList();

    public IReadOnlyList<int> IdsOf(string label) => Images.Query().Where(x => x.Label == label).Select(x => x.Id).ToList();

    /// <summary>Adds a record and its thumbnail under a fresh id (inside the caller's transaction, if any).</summary>
    public ImageRecord Add(ImageRecord image, byte[] thumbnailJpeg) => _database.Write(() =>
    {
        image.Id = NextId();
        Images.Insert(image);
        Thumbnails.Insert(new ThumbnailRecord { Id = image.Id, Jpeg = thumbnailJpeg });
        AddToLabel(image.Label, 1);
        return image;
    });

    public ImageRecord? Delete(int id) => _database.Write(() =>
    {
        var image = Images.FindById(id);
        if (image is null) return null;
        Images.Delete(id);
        Thumbnails.Delete(id);
        AddToLabel(image.Label, -1);
        return image;
    });

    /// <summary>Gives an image a new label; null for an unknown id.</summary>
    public ImageRecord? Relabel(int id, string label) => _database.Write(() =>
    {
        var image = Images.FindById(id);
        if (image is null || image.Label == label) return image;
        AddToLabel(image.Label, -1);
        image.Label = label;
        Images.Update(image);
        AddToLabel(label, 1);
        return image;
    });

    /// <summary>Moves every image of one label to another (merging when it exists); returns how many moved.</summary>
    public int RenameLabel(string from, string to) => _database.Write(() =>
    {
        var images = Images.Find(Where.Equal(nameof(ImageRecord.Label), from)).ToList();
        foreach (var image in images) image.Label = to;
        Images.Update(images);
        AddToLabel(from, -images.Count);
        AddToLabel(to, images.Count);
        return images.Count;
    });

    private int NextId()
    {
        var settings = Settings.FindById(SettingsRecord.SettingsKey) ?? new SettingsRecord();
        if (settings.NextImageId <= 0)
            settings.NextImageId = (Images.Query().OrderByDescending(x => x.Id).Select(x => x.Id).FirstOrDefault()) + 1;
        int id = settings.NextImageId++;
        Settings.Upsert(settings);
        return id;
    }

    private void AddToLabel(string label, int delta)
    {
        if (delta == 0) return;
        var record = Labels.FindById(label) ?? new LabelRecord { Label = label };
        record.Count += delta;
        if (record.Count <= 0) Labels.Delete(label);
        else Labels.Upsert(record);
    }

    /// <summary>Replaces a thumbnail (one lost or damaged; the store check makes it again from the original).</summary>
    internal void SetThumbnail(int id, byte[] thumbnailJpeg) =>
        _database.Write(() => Thumbnails.Upsert(new ThumbnailRecord { Id = id, Jpeg = thumbnailJpeg }));

    /// <summary>Counts every label again from the records, replacing the kept counts.</summary>
    internal void RecountLabels() => _database.Write(() =>
    {
        Labels.DeleteAll();
        var counts = Images.Query().Select(x => x.Label).ToEnumerable().GroupBy(l => l, StringComparer.Ordinal);
        Labels.Upsert(counts.Select(g => new LabelRecord { Label = g.Key, Count = g.Count() }));
    });
}

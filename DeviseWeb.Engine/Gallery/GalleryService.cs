using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Gallery;

/// <summary>
/// The catalogue: images as hosts see them (split relative to the active model), labels with counts, pages,
/// thumbnails and originals; and its management: delete images, relabel them, rename a label. Each change
/// commits the records and the vector indexes together, so a deleted image leaves search results at once.
/// </summary>
public sealed class GalleryService(
    DeviseDatabase database, ImageRepository images, FeatureStore features, ModelService models, VectorColumnStore columns, EngineOptions options)
{
    /// <summary>Most images a page or a bulk change may name.</summary>
    public const int MaxPageSize = 1000;

    public ImageInfo? Find(int id) => images.Find(id) is { } record ? ToInfo(record) : null;

    public ImageInfo Get(int id) => Find(id) ?? throw new NotFoundException($"No image with id {id}.");

    public ImageInfo? FindByHash(string contentHash) => images.FindByHash(contentHash) is { } record ? ToInfo(record) : null;

    /// <summary>Gallery images for ids (unknown ones skipped), in the given order.</summary>
    public IReadOnlyList<ImageInfo> FindMany(IEnumerable<int> ids)
    {
        var wanted = ids as IReadOnlyList<int> ?? ids.ToList();
        var found = images.FindMany(wanted.Distinct().ToList()).ToDictionary(r => r.Id);
        return wanted.Select(id => found.TryGetValue(id, out var record) ? ToInfo(record) : null).OfType<ImageInfo>().ToList();
    }

    public byte[] Thumbnail(int id) => images.Thumbnail(id) ?? throw new NotFoundException($"No image with id {id}.");

    /// <summary>Full path of the stored original.</summary>
    public string OriginalPath(int id) =>
        images.Find(id) is { } record ? Path.Combine(options.DataDirectory, record.StoredFile) : throw new NotFoundException($"No image with id {id}.");

    public int Count => images.Count;

    public ImagePage List(ImageQuery query)
    {
        string? label = string.IsNullOrWhiteSpace(query.Label) ? null : LabelText.Normalize(query.Label);
        int skip = Math.Max(0, query.Skip), take = Math.Clamp(query.Take, 1, MaxPageSize);
        if (query.Split is not { } split)
        {
            int total = label is null ? images.Count : images.CountOf(label);
            return new ImagePage(images.Page(label, skip, take).Select(ToInfo).ToList(), total);
        }
        // The split lives in the model version, not in the records: filter while streaming.
        var matching = (label is null ? images.All() : images.Page(label, 0, int.MaxValue))
            .Select(ToInfo).Where(i => i.Split == split).ToList();
        return new ImagePage(matching.Skip(skip).Take(take).ToList(), matching.Count);
    }

    public DatasetSummary Summary()
    {
        var held = models.HeldOutLabels.ToHashSet(StringComparer.Ordinal);
        var labels = images.LabelCounts()
            .Select(l => new LabelCount(l.Label, l.Count, held.Contains(l.Label) ? SplitKind.HeldOut : SplitKind.Train)).ToList();
        return new DatasetSummary(labels.Sum(l => l.Count), labels, models.HeldOutLabels);
    }

    /// <summary>Deletes images: records, thumbnails, vectors and (when no record uses them any more) originals. Returns those deleted.</summary>
    public IReadOnlyList<int> Delete(IReadOnlyCollection<int> ids)
    {
        CheckBulk(ids);
        IReadOnlyList<ModelLease> leases = [];
        try
        {
            var deleted = database.Write(() =>
            {
                leases = models.AcquireLoaded(); // under the write lock, as ImageWriter does
                var gone = new List<ImageRecord>();
                foreach (var id in ids.Distinct())
                {
                    if (images.Delete(id) is not { } record) continue;
                    columns.MarkRemoved(id);
                    features.Remove(id);
                    foreach (var lease in leases) lease.Model.Index.Remove(id);
                    gone.Add(record);
                }
                return gone;
            });
            foreach (var record in deleted) DeleteOriginal(record);
            return deleted.Select(r => r.Id).ToList();
        }
        finally
        {
            foreach (var lease in leases) lease.Dispose();
        }
    }

    /// <summary>Gives images a new label (vectors stay: they depend on pixels, not labels). Returns the images changed.</summary>
    public IReadOnlyList<ImageInfo> Relabel(IReadOnlyCollection<int> ids, string label)
    {
        CheckBulk(ids);
        var normal = LabelText.Normalize(label);
        var changed = database.Write(() => ids.Distinct().Select(id => images.Relabel(id, normal)).OfType<ImageRecord>().ToList());
        if (changed.Count == 0 && ids.Count > 0) throw new NotFoundException($"No image with id {ids.First()}.");
        return changed.Select(ToInfo).ToList();
    }

    /// <summary>Moves every image of a label to another label (merging into it when it exists). Returns how many moved.</summary>
    public int RenameLabel(string from, string to)
    {
        var source = LabelText.Normalize(from);
        var target = LabelText.Normalize(to);
        if (images.CountOf(source) == 0) throw new NotFoundException($"No images are labelled '{source}'.");
        return source == target ? images.CountOf(source) : images.RenameLabel(source, target);
    }

    internal ImageInfo ToInfo(ImageRecord r) =>
        new(r.Id, r.Label, r.FileName, r.Width, r.Height, r.ByteCount, r.AddedUtc, r.Evaluation ? SplitKind.Evaluation : models.SplitOf(r.Id, r.Label));

    private static void CheckBulk(IReadOnlyCollection<int> ids)
    {
        if (ids.Count > MaxPageSize) throw new InvalidInputException($"At most {MaxPageSize} images per change; {ids.Count} were given.");
    }

    private void DeleteOriginal(ImageRecord record)
    {
        if (images.FindByHash(record.ContentHash) is not null) return;
        try { File.Delete(Path.Combine(options.DataDirectory, record.StoredFile)); }
        catch (IOException) { /* left for the store check to sweep */ }
        catch (UnauthorizedAccessException) { }
    }
}

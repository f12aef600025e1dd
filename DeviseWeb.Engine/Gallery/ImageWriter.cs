using System.Diagnostics;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Engine.Gallery;

/// <summary>
/// The one write path for a new gallery image: its original (content-addressed, written under a unique temporary
/// name, synced, renamed, and the rename synced), then in one transaction its record, thumbnail, label count,
/// features and its embedding under every loaded model version. On any failure nothing is left behind; a crash
/// between the two leaves an original no record uses, which the next open deletes (<see cref="StoreSweep"/>).
/// </summary>
public sealed class ImageWriter(DeviseDatabase database, ImageRepository images, FeatureStore features, ModelService models, GalleryService gallery,
    VectorIndexes indexes, EngineOptions options)
{
    /// <exception cref="IndexUnavailableException">The vectors' service (PostgreSQL) does not answer: nothing was written.</exception>
    public ImportFileResult Add(LoadedImage image, byte[] thumbnail, float[] vector, string fileName, string label, bool evaluation = false)
    {
        indexes.EnsureAvailable();
        // The original, its thumbnail, features and int8 embeddings, and LiteDB's log copy of the record: about twice.
        DiskSpace.EnsureRoom(options, 2L * (image.ByteCount + thumbnail.Length + vector.Length * sizeof(float)), $"image {fileName}");
        string relative = Path.Combine("images", image.ContentHash[..2], $"{image.ContentHash}.{image.Format}");
        bool wroteFile = WriteOriginal(Path.Combine(options.DataDirectory, relative), image.Bytes, image.ContentHash);
        FaultPoints.Hit(FaultPoints.OriginalWritten);
        var record = new ImageRecord
        {
            ContentHash = image.ContentHash, Label = label, FileName = fileName, StoredFile = relative,
            Width = image.Width, Height = image.Height, ByteCount = image.ByteCount, AddedUtc = DateTime.UtcNow, Evaluation = evaluation,
        };
        try
        {
            var added = Insert(record, thumbnail, vector);
            return added is null
                ? new ImportFileResult(fileName, ImportOutcome.Duplicate, gallery.FindByHash(image.ContentHash), "already in the gallery")
                : new ImportFileResult(fileName, ImportOutcome.Added, gallery.ToInfo(added), null);
        }
        catch
        {
            // Unless a concurrent upload of the same content committed a record that now uses the file.
            if (wroteFile && images.FindByHash(image.ContentHash) is null) File.Delete(Path.Combine(options.DataDirectory, relative));
            throw;
        }
    }

    /// <summary>
    /// Adds a record with its thumbnail and features, embedded under every loaded model version, in one transaction;
    /// null when an image with the same content is already there. The original must already be stored.
    /// <paramref name="indexed"/> hears how long each index's <c>Add</c> took (the bench separates it from the rest).
    /// </summary>
    internal ImageRecord? Insert(ImageRecord record, byte[] thumbnail, float[] vector, Action<TimeSpan>? indexed = null)
    {
        // Each loaded version's head and label transfer's reference load here, if not yet, rather than under the store's lock.
        foreach (var loaded in models.AcquireLoaded())
            using (loaded) loaded.Model.LoadEmbedder();
        IReadOnlyList<ModelLease> leases = [];
        try
        {
            return database.Write(() =>
            {
                if (images.FindByHash(record.ContentHash) is not null) return null;
                // Taken under the write lock: a version activated a moment ago is among them, or has caught up already.
                leases = models.AcquireLoaded();
                images.Add(record, thumbnail);
                features.Add(record.Id, vector);
                foreach (var lease in leases)
                {
                    var embedding = lease.Model.Embed([vector])[0];
                    long start = Stopwatch.GetTimestamp();
                    lease.Model.Index.Add(record.Id, embedding);
                    indexed?.Invoke(Stopwatch.GetElapsedTime(start));
                }
                return record;
            });
        }
        finally
        {
            foreach (var lease in leases) lease.Dispose();
        }
    }

    /// <summary>
    /// Writes the original unless an intact copy is there already; true when this call wrote it. A file already under
    /// the name is trusted only when its bytes hash to it: one left by a crash or damaged on disk is replaced.
    /// </summary>
    private static bool WriteOriginal(string path, byte[] bytes, string contentHash)
    {
        if (File.Exists(path) && OriginalFiles.Matches(path, contentHash)) return false;
        try
        {
            OriginalFiles.WriteDurably(path, bytes);
            return true;
        }
        catch (IOException) when (File.Exists(path) && OriginalFiles.Matches(path, contentHash))
        {
            return false; // the same content, stored by a concurrent upload a moment ago
        }
    }
}

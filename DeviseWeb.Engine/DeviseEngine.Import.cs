using System.Diagnostics;
using System.Threading.Channels;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Importing;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine;

public sealed partial class DeviseEngine
{
    private sealed record Decoded(ImportFile File, LoadedImage? Image, byte[]? Thumbnail, ImportFileResult? Result);

    /// <summary>
    /// Imports a folder-per-label dataset. Reading, hashing, decoding and thumbnails run on one task while
    /// the backbone runs on another, so decoding overlaps inference. Bad files are skipped with their reason.
    /// </summary>
    public async Task<ImportSummary> ImportFolderAsync(string directory, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var files = DatasetFolder.List(directory);
        var clock = Stopwatch.StartNew();
        var channel = Channel.CreateBounded<Decoded>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var file in files)
                    await channel.Writer.WriteAsync(Decode(file, seen), cancellationToken).ConfigureAwait(false);
            }
            finally { channel.Writer.Complete(); }
        }, cancellationToken);

        int added = 0, duplicates = 0, done = 0;
        var rejections = new List<ImportFileResult>();
        await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            var result = item.Result ?? Ingest(item.Image!, item.Thumbnail!, Path.GetFileName(item.File.Path), item.File.Label);
            item.Image?.Dispose();
            switch (result.Outcome)
            {
                case ImportOutcome.Added: added++; break;
                case ImportOutcome.Duplicate: duplicates++; break;
                default: rejections.Add(result); break;
            }
            progress?.Report(new ImportProgress(++done, files.Count, result.FileName, added, duplicates, rejections.Count));
        }
        await producer.ConfigureAwait(false);
        return new ImportSummary(added, duplicates, rejections.Count, rejections, clock.Elapsed);
    }

    /// <summary>Imports one uploaded file: embedded and searchable at once when a model is active.</summary>
    public async Task<ImportFileResult> ImportStreamAsync(Stream content, string fileName, string? label, CancellationToken cancellationToken = default)
    {
        string name = Path.GetFileName(fileName);
        string labelText = LabelText.FromFolderName(string.IsNullOrWhiteSpace(label) ? "unlabelled" : label);
        LoadedImage image;
        try { image = await _loader.LoadAsync(content, name, cancellationToken).ConfigureAwait(false); }
        catch (ImageRejectedException e) { return new ImportFileResult(name, ImportOutcome.Rejected, null, e.Reason); }
        using (image)
        {
            if (_store.FindImageByHash(image.ContentHash) is { } existing)
                return new ImportFileResult(name, ImportOutcome.Duplicate, ToInfo(existing), "already in the gallery");
            return await Task.Run(() => Ingest(image, Thumbnailer.MakeJpeg(image, Options.ThumbnailSize), name, labelText), cancellationToken).ConfigureAwait(false);
        }
    }

    public Task<ImportFileResult> ImportFileAsync(string path, string? label, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new DeviseException($"File not found: {path}");
        return ImportFileCoreAsync(path, label, cancellationToken);
    }

    private async Task<ImportFileResult> ImportFileCoreAsync(string path, string? label, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return await ImportStreamAsync(stream, path, label, cancellationToken).ConfigureAwait(false);
    }

    private Decoded Decode(ImportFile file, HashSet<string> seen)
    {
        string name = Path.GetFileName(file.Path);
        try
        {
            var bytes = _loader.ReadFile(file.Path);
            string hash = SafeImageLoader.HashOf(bytes);
            if (!seen.Add(hash) || _store.FindImageByHash(hash) is not null)
                return new Decoded(file, null, null, new ImportFileResult(name, ImportOutcome.Duplicate, null, "same content as an image already imported"));
            var image = _loader.Decode(bytes, name, hash);
            return new Decoded(file, image, Thumbnailer.MakeJpeg(image, Options.ThumbnailSize), null);
        }
        catch (ImageRejectedException e)
        {
            return new Decoded(file, null, null, new ImportFileResult(name, ImportOutcome.Rejected, null, e.Reason));
        }
    }

    /// <summary>Features, stored copy and records of one decoded image; on any failure nothing is left behind.</summary>
    private ImportFileResult Ingest(LoadedImage image, byte[] thumbnail, string fileName, string label)
    {
        float[] features;
        try { features = Features.Extract(image); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new ImportFileResult(fileName, ImportOutcome.Rejected, null, "the backbone could not read it: " + e.Message);
        }

        string relative = Path.Combine("images", image.ContentHash[..2], $"{image.ContentHash}.{image.Format}");
        string stored = Path.Combine(Options.DataDirectory, relative);
        bool wroteFile = !File.Exists(stored);
        if (wroteFile)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(stored)!);
            File.WriteAllBytes(stored + ".tmp", image.Bytes);
            File.Move(stored + ".tmp", stored, overwrite: true);
        }
        var record = new ImageRecord
        {
            ContentHash = image.ContentHash, Label = label, FileName = fileName, StoredFile = relative,
            Width = image.Width, Height = image.Height, ByteCount = image.ByteCount, AddedUtc = DateTime.UtcNow,
        };
        try
        {
            lock (_writeLock)
            {
                if (_store.FindImageByHash(image.ContentHash) is { } existing)
                    return new ImportFileResult(fileName, ImportOutcome.Duplicate, ToInfo(existing), "already in the gallery");
                var active = _active;
                float[]? embedding = active is null ? null : EmbedFeatures(active.Head, [features])[0];
                _store.AddImage(record, new FeatureRecord { Backbone = Features.Name, Vector = VectorMath.ToBytes(features) },
                    thumbnail, embedding is null ? null : (active!.Record.Id, embedding));
                _catalog[record.Id] = record;
                if (active is not null) _active = active with { Index = active.Index.With(record.Id, embedding!) };
            }
            return new ImportFileResult(fileName, ImportOutcome.Added, ToInfo(record), null);
        }
        catch
        {
            if (wroteFile) File.Delete(stored);
            throw;
        }
    }
}

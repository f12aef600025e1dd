using System.Diagnostics;
using System.Threading.Channels;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Importing;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine;

public sealed partial class DeviseEngine
{
    private sealed record Prepared(ImportFile File, LoadedImage? Image, byte[]? Thumbnail, float[]? Features, ImportFileResult? Result);

    /// <summary>
    /// Imports a folder-per-label dataset. One task reads, hashes, decodes and makes thumbnails; the backbone runs
    /// on one single-threaded session call per core in parallel (faster here than one call using every core);
    /// records are written in file order, so image ids do not depend on timing. Bad files are skipped with their reason.
    /// </summary>
    public async Task<ImportSummary> ImportFolderAsync(string directory, IProgress<ImportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var files = DatasetFolder.List(directory);
        var clock = Stopwatch.StartNew();
        int workers = Math.Max(1, Environment.ProcessorCount);
        using var featureSlots = new SemaphoreSlim(workers);
        var pending = Channel.CreateBounded<Task<Prepared>>(new BoundedChannelOptions(workers * 4) { SingleReader = true, SingleWriter = true });
        var producer = Task.Run(async () =>
        {
            try
            {
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    var decoded = Decode(file, seen);
                    var prepared = decoded.Result is not null ? Task.FromResult(decoded) : ExtractAsync(decoded, featureSlots, cancellationToken);
                    await pending.Writer.WriteAsync(prepared, cancellationToken).ConfigureAwait(false);
                }
            }
            finally { pending.Writer.Complete(); }
        }, cancellationToken);

        int added = 0, duplicates = 0, done = 0;
        var rejections = new List<ImportFileResult>();
        try
        {
            await foreach (var task in pending.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                var item = await task.ConfigureAwait(false);
                var result = item.Result ?? Persist(item.Image!, item.Thumbnail!, item.Features!, Path.GetFileName(item.File.Path), item.File.Label);
                item.Image?.Dispose();
                switch (result.Outcome)
                {
                    case ImportOutcome.Added: added++; break;
                    case ImportOutcome.Duplicate: duplicates++; break;
                    default: rejections.Add(result); break;
                }
                progress?.Report(new ImportProgress(++done, files.Count, result.FileName, added, duplicates, rejections.Count));
            }
        }
        finally
        {
            await producer.ConfigureAwait(false);
        }
        return new ImportSummary(added, duplicates, rejections.Count, rejections, clock.Elapsed);
    }

    private Task<Prepared> ExtractAsync(Prepared decoded, SemaphoreSlim slots, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return decoded with { Features = Features.Extract(decoded.Image!) };
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            decoded.Image!.Dispose();
            return decoded with { Image = null, Result = BackboneFailure(Path.GetFileName(decoded.File.Path), e) };
        }
        finally { slots.Release(); }
    }, cancellationToken);

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
            return await Task.Run(() =>
            {
                float[] features;
                try { features = Features.Extract(image); }
                catch (Exception e) when (e is not OutOfMemoryException) { return BackboneFailure(name, e); }
                return Persist(image, Thumbnailer.MakeJpeg(image, Options.ThumbnailSize), features, name, labelText);
            }, cancellationToken).ConfigureAwait(false);
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

    private Prepared Decode(ImportFile file, HashSet<string> seen)
    {
        string name = Path.GetFileName(file.Path);
        try
        {
            var bytes = _loader.ReadFile(file.Path);
            string hash = SafeImageLoader.HashOf(bytes);
            if (!seen.Add(hash) || _store.FindImageByHash(hash) is not null)
                return new Prepared(file, null, null, null, new ImportFileResult(name, ImportOutcome.Duplicate, null, "same content as an image already imported"));
            var image = _loader.Decode(bytes, name, hash);
            return new Prepared(file, image, Thumbnailer.MakeJpeg(image, Options.ThumbnailSize), null, null);
        }
        catch (ImageRejectedException e)
        {
            return new Prepared(file, null, null, null, new ImportFileResult(name, ImportOutcome.Rejected, null, e.Reason));
        }
    }

    private static ImportFileResult BackboneFailure(string fileName, Exception e) =>
        new(fileName, ImportOutcome.Rejected, null, "the backbone could not read it: " + e.Message);

    /// <summary>Stored copy and records of one image with its features; on any failure nothing is left behind.</summary>
    private ImportFileResult Persist(LoadedImage image, byte[] thumbnail, float[] features, string fileName, string label)
    {
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

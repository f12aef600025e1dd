using System.Diagnostics;
using System.Threading.Channels;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Gallery;

/// <summary>
/// Brings images into the gallery: a folder-per-label dataset (as a job) or one uploaded file (at once). One task
/// reads, hashes, decodes and makes thumbnails; the backbone runs as one single-threaded call per core in parallel
/// (faster here than one call using every core); records are written in file order, so ids do not depend on
/// timing. A file that fails is reported with its reason and the import goes on.
/// </summary>
public sealed class ImportService(SafeImageLoader loader, FeatureStore features, ImageWriter writer, GalleryService gallery, EngineOptions options)
{
    /// <summary>Rejections listed in a summary at most; the count stays exact.</summary>
    public const int MaxListedRejections = 500;

    private sealed record Prepared(ImportFile File, LoadedImage? Image, byte[]? Thumbnail, float[]? Features, ImportFileResult? Result);

    /// <param name="evaluation">Marks every image evaluation-only; otherwise the dataset's own list marks them (<see cref="DatasetFolder.EvaluationFileName"/>).</param>
    public async Task<ImportSummary> ImportFolderAsync(string directory, IProgress<ImportProgress>? progress = null, bool evaluation = false,
        CancellationToken cancellationToken = default)
    {
        var files = DatasetFolder.List(directory, evaluation);
        var everyday = Path.Combine(directory, Evaluation.EverydayWords.FileName);
        if (File.Exists(everyday))
        {
            // Read first: a malformed file fails the import before anything is written.
            Evaluation.EverydayWords.Read(everyday);
            OriginalFiles.WriteDurably(options.EverydayWordsPath, File.ReadAllBytes(everyday));
        }
        var clock = Stopwatch.StartNew();
        int workers = Math.Max(1, Environment.ProcessorCount);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var featureSlots = new SemaphoreSlim(workers);
        var pending = Channel.CreateBounded<Task<Prepared>>(new BoundedChannelOptions(workers * 4) { SingleReader = true, SingleWriter = true });
        // Started without the token: it must run to complete the channel.
        var producer = Task.Run(() => ProduceAsync(files, pending.Writer, featureSlots, stop.Token), CancellationToken.None);

        int added = 0, duplicates = 0, rejected = 0, done = 0;
        var rejections = new List<ImportFileResult>();
        try
        {
            await foreach (var task in pending.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                var item = await task.ConfigureAwait(false);
                ImportFileResult result;
                using (item.Image) result = item.Result ?? Store(item);
                switch (result.Outcome)
                {
                    case ImportOutcome.Added: added++; break;
                    case ImportOutcome.Duplicate: duplicates++; break;
                    default:
                        if (++rejected <= MaxListedRejections) rejections.Add(result);
                        break;
                }
                progress?.Report(new ImportProgress(++done, files.Count, result.FileName, added, duplicates, rejected));
                FaultPoints.Hit(FaultPoints.ImportFileDone);
            }
        }
        finally
        {
            // A failure or cancellation here must not leave the producer waiting on a full channel, nor a decoded image
            // behind: what is queued or still in the backbone is waited for and disposed before its slot goes away.
            stop.Cancel();
            await producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            while (pending.Reader.TryRead(out var left)) await DiscardAsync(left).ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        await producer.ConfigureAwait(false); // its own failure, if it had one
        return new ImportSummary(added, duplicates, rejected, rejections, clock.Elapsed);
    }

    /// <summary>Reads, decodes and thumbnails each file in order, and queues its backbone run; an image it could not queue it disposes.</summary>
    private async Task ProduceAsync(IReadOnlyList<ImportFile> files, ChannelWriter<Task<Prepared>> pending, SemaphoreSlim featureSlots,
        CancellationToken cancellationToken)
    {
        try
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var decoded = Decode(file, seen, cancellationToken);
                var prepared = decoded.Result is not null ? Task.FromResult(decoded) : ExtractAsync(decoded, featureSlots, cancellationToken);
                try { await pending.WriteAsync(prepared, cancellationToken).ConfigureAwait(false); }
                catch
                {
                    await DiscardAsync(prepared).ConfigureAwait(false);
                    throw;
                }
            }
        }
        finally { pending.Complete(); }
    }

    /// <summary>Lets go of a prepared file nobody will store: waits for its backbone run to end, then disposes its image.</summary>
    private static async Task DiscardAsync(Task<Prepared> prepared)
    {
        await ((Task)prepared).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (prepared.IsCompletedSuccessfully) prepared.Result.Image?.Dispose();
    }

    /// <summary>Imports one uploaded file: embedded and searchable at once when a model is active; <paramref name="evaluation"/> marks it evaluation-only.</summary>
    public async Task<ImportFileResult> ImportStreamAsync(Stream content, string fileName, string? label, bool evaluation = false,
        CancellationToken cancellationToken = default)
    {
        string name = DisplayFileName.Of(fileName);
        string labelText = LabelText.Normalize(string.IsNullOrWhiteSpace(label) ? LabelText.Unlabelled : label);
        LoadedImage image;
        try { image = await loader.LoadAsync(content, name, cancellationToken).ConfigureAwait(false); }
        catch (ImageRejectedException e) { return Rejected(name, e.Reason); }
        using (image)
        {
            if (gallery.FindByHash(image.ContentHash) is { } existing)
                return new ImportFileResult(name, ImportOutcome.Duplicate, existing, "already in the gallery");
            return await Task.Run(() =>
            {
                float[] vector;
                try { vector = features.Extractor.Extract(image, cancellationToken); }
                catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException) { return BackboneFailure(name, e); }
                return Store(new Prepared(new ImportFile(name, labelText, Evaluation: evaluation), image, Thumbnailer.MakeJpeg(image, options.ThumbnailSize), vector, null));
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<ImportFileResult> ImportFileAsync(string path, string? label, bool evaluation = false, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new NotFoundException($"File not found: {path}");
        FileStream stream;
        try { stream = UnixFiles.OpenRegularFile(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return Rejected(Path.GetFileName(path), "cannot be read: " + e.Message); }
        await using (stream.ConfigureAwait(false))
            return await ImportStreamAsync(stream, path, label, evaluation, cancellationToken).ConfigureAwait(false);
    }

    private Prepared Decode(ImportFile file, HashSet<string> seen, CancellationToken cancellationToken)
    {
        string name = DisplayFileName.Of(Path.GetFileName(file.Path));
        if (file.Problem is { } problem) return new Prepared(file, null, null, null, Rejected(name, problem));
        try
        {
            // The listing resolved every link it allows; one swapped in since is refused, not followed.
            var bytes = loader.ReadFile(file.Path, followLinks: false);
            string hash = SafeImageLoader.HashOf(bytes);
            if (!seen.Add(hash) || gallery.FindByHash(hash) is not null)
                return new Prepared(file, null, null, null, new ImportFileResult(name, ImportOutcome.Duplicate, null, "same content as an image already imported"));
            var image = loader.Decode(bytes, name, hash, cancellationToken);
            try { return new Prepared(file, image, Thumbnailer.MakeJpeg(image, options.ThumbnailSize), null, null); }
            catch
            {
                image.Dispose();
                throw;
            }
        }
        catch (ImageRejectedException e) { return new Prepared(file, null, null, null, Rejected(name, e.Reason)); }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            return new Prepared(file, null, null, null, Rejected(name, "could not be read: " + e.Message));
        }
    }

    /// <summary>
    /// Runs the backbone on a decoded image when a slot is free. Started without the token, so the image is never
    /// stranded in a task that did not run: cancelled while it waits, it disposes the image itself.
    /// </summary>
    private Task<Prepared> ExtractAsync(Prepared decoded, SemaphoreSlim slots, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        var image = decoded.Image!;
        try
        {
            await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try { return decoded with { Features = features.Extractor.Extract(image, cancellationToken) }; }
            finally { slots.Release(); }
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            image.Dispose();
            return decoded with { Image = null, Result = BackboneFailure(DisplayFileName.Of(Path.GetFileName(decoded.File.Path)), e) };
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }, CancellationToken.None);

    /// <summary>
    /// Writes one decoded image (the caller disposes it); a failure becomes that file's rejection, except an unreachable
    /// index, which stops the import: every file after would fail the same way (those stored so far stay).
    /// </summary>
    private ImportFileResult Store(Prepared item)
    {
        string name = DisplayFileName.Of(Path.GetFileName(item.File.Path));
        try { return writer.Add(item.Image!, item.Thumbnail!, item.Features!, name, item.File.Label, item.File.Evaluation); }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException and not IndexUnavailableException)
        {
            return Rejected(name, "could not be stored: " + e.Message);
        }
    }

    private static ImportFileResult Rejected(string name, string reason) => new(name, ImportOutcome.Rejected, null, reason);

    private static ImportFileResult BackboneFailure(string fileName, Exception e) =>
        Rejected(fileName, "the backbone could not read it: " + e.Message);
}

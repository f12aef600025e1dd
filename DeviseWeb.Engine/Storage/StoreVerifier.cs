using System.Diagnostics;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Models;
using Microsoft.Extensions.Logging;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// Checks a whole store: each image's original is there and hashes to its content hash, it has a thumbnail,
/// features, and an embedding under the active version; no original is unused and no file half-written; every
/// label's kept count matches its images. A repair fixes what can be fixed and drops images whose pixels are lost.
/// Meant for a process that holds the data directory alone (the CLI): an upload writing its original meanwhile would
/// look like an orphan.
/// </summary>
public sealed class StoreVerifier(
    DataStore store, DeviseDatabase database, ImageRepository images, FeatureStore features, ModelService models,
    GalleryService gallery, SafeImageLoader loader, EngineOptions options, ILogger<StoreVerifier> logger)
{
    public StoreReport Verify(bool repair = false, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        var problems = new List<StoreProblem>();
        var featureIds = features.Ids().ToHashSet();
        IReadOnlySet<int>? embedded = null;
        if (models.ActiveModelId is not null)
            using (var lease = models.Acquire()) embedded = lease.Model.Index.Ids().ToHashSet();

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var catalogue = new HashSet<int>();
        foreach (var record in images.All())
        {
            cancellationToken.ThrowIfCancellationRequested();
            catalogue.Add(record.Id);
            counts[record.Label] = counts.GetValueOrDefault(record.Label) + 1;
            string path = Path.GetFullPath(Path.Combine(options.DataDirectory, record.StoredFile));
            used.Add(path);
            string subject = $"image #{record.Id} ({record.FileName})";
            StoreProblem Problem(StoreProblemKind kind, string detail) => new(kind, subject, detail, record.Id);
            if (!File.Exists(path)) { problems.Add(Problem(StoreProblemKind.MissingOriginal, $"{record.StoredFile} is missing")); continue; }
            if (!OriginalFiles.Matches(path, record.ContentHash)) { problems.Add(Problem(StoreProblemKind.CorruptOriginal, $"{record.StoredFile} does not match its hash")); continue; }
            if (images.Thumbnail(record.Id) is null) problems.Add(Problem(StoreProblemKind.MissingThumbnail, "no thumbnail"));
            if (!featureIds.Contains(record.Id)) problems.Add(Problem(StoreProblemKind.MissingFeatures, "no backbone features"));
            else if (embedded is not null && !embedded.Contains(record.Id))
                problems.Add(Problem(StoreProblemKind.MissingEmbedding, $"no embedding under model version {models.ActiveModelId}"));
        }
        problems.AddRange(featureIds.Where(id => !catalogue.Contains(id)).Order()
            .Select(id => new StoreProblem(StoreProblemKind.StrayVector, $"features of image #{id}", "no image has this id", id)));
        if (embedded is not null)
            problems.AddRange(embedded.Where(id => !catalogue.Contains(id)).Order().Select(id => new StoreProblem(StoreProblemKind.StrayVector,
                $"embedding of image #{id} under model version {models.ActiveModelId}", "no image has this id", id)));
        problems.AddRange(StrayFiles(used));
        problems.AddRange(LabelCountProblems(counts));

        if (repair && problems.Count > 0) problems = Repair(problems, cancellationToken);
        if (problems.Count > 0)
            logger.LogWarning("Store check: {Count} problems, {Repaired} repaired; first: {Kind} {Subject}: {Detail}", problems.Count,
                problems.Count(p => p.Repair is not null), problems[0].Kind, problems[0].Subject, problems[0].Detail);
        return new StoreReport(catalogue.Count, models.ActiveModelId, problems, store.Sweep, clock.Elapsed);
    }

    /// <summary>Half-written files anywhere, and originals no record uses.</summary>
    private IEnumerable<StoreProblem> StrayFiles(HashSet<string> used)
    {
        foreach (var folder in new[] { options.ImagesDirectory, options.ReferencesDirectory })
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
            {
                string relative = Path.GetRelativePath(options.DataDirectory, file);
                if (file.EndsWith(OriginalFiles.TemporarySuffix, StringComparison.Ordinal))
                    yield return new(StoreProblemKind.TemporaryFile, relative, "a half-written file");
                else if (folder == options.ImagesDirectory && !used.Contains(Path.GetFullPath(file)))
                    yield return new(StoreProblemKind.OrphanOriginal, relative, "no image uses it");
            }
        }
    }

    private IEnumerable<StoreProblem> LabelCountProblems(Dictionary<string, int> counts)
    {
        var kept = images.LabelCounts().ToDictionary(l => l.Label, l => l.Count, StringComparer.Ordinal);
        foreach (var label in counts.Keys.Union(kept.Keys).Order(StringComparer.Ordinal))
        {
            int actual = counts.GetValueOrDefault(label), recorded = kept.GetValueOrDefault(label);
            if (actual != recorded) yield return new(StoreProblemKind.LabelCount, $"label '{label}'", $"kept count {recorded}, images {actual}");
        }
    }

    private List<StoreProblem> Repair(List<StoreProblem> problems, CancellationToken cancellationToken)
    {
        var repaired = new List<StoreProblem>(problems.Count);
        var lost = problems.Where(p => p.Kind is StoreProblemKind.MissingOriginal or StoreProblemKind.CorruptOriginal).ToList();
        var dropped = DropImages(lost.Select(p => p.ImageId!.Value).ToList());
        foreach (var problem in problems)
        {
            cancellationToken.ThrowIfCancellationRequested();
            repaired.Add(problem with { Repair = problem.Kind switch
            {
                StoreProblemKind.MissingOriginal or StoreProblemKind.CorruptOriginal => dropped.Contains(problem.ImageId!.Value) ? "image dropped" : null,
                StoreProblemKind.MissingThumbnail => Try(() => RemakeThumbnail(problem.ImageId!.Value), "thumbnail made again"),
                StoreProblemKind.MissingFeatures => Try(() => ExtractFeatures(problem.ImageId!.Value), "features computed again"),
                StoreProblemKind.StrayVector => Try(() => RemoveStrayVectors(problem.ImageId!.Value), "deleted"),
                StoreProblemKind.OrphanOriginal or StoreProblemKind.TemporaryFile =>
                    Try(() => File.Delete(Path.Combine(options.DataDirectory, problem.Subject)), "deleted"),
                _ => null,
            }});
        }
        // After features came back: they are what the active version embeds.
        if (repaired.Any(p => p.Kind == StoreProblemKind.MissingEmbedding) || repaired.Any(p => p.Kind == StoreProblemKind.MissingFeatures && p.Repair is not null))
        {
            string? embedded = models.ActiveModelId is null ? null : Try(() => { models.EmbedMissing(cancellationToken); }, "embedded from the stored features");
            repaired = repaired.Select(p => p.Kind == StoreProblemKind.MissingEmbedding ? p with { Repair = embedded } : p).ToList();
        }
        if (repaired.Any(p => p.Kind == StoreProblemKind.LabelCount))
        {
            string? recounted = Try(images.RecountLabels, "counted again");
            repaired = repaired.Select(p => p.Kind == StoreProblemKind.LabelCount ? p with { Repair = recounted } : p).ToList();
        }
        return repaired;
    }

    /// <summary>Removes an id no image has from the features and the active version (removing it twice is harmless).</summary>
    private void RemoveStrayVectors(int id)
    {
        features.Remove(id);
        if (models.ActiveModelId is null) return;
        using var lease = models.Acquire();
        lease.Model.Index.Remove(id);
    }

    private HashSet<int> DropImages(IReadOnlyList<int> ids)
    {
        var dropped = new HashSet<int>();
        foreach (var chunk in ids.Chunk(GalleryService.MaxPageSize)) dropped.UnionWith(gallery.Delete(chunk));
        return dropped;
    }

    private void RemakeThumbnail(int id)
    {
        using var image = loader.Load(gallery.OriginalPath(id));
        images.SetThumbnail(id, Thumbnailer.MakeJpeg(image, options.ThumbnailSize));
    }

    private void ExtractFeatures(int id)
    {
        using var image = loader.Load(gallery.OriginalPath(id));
        var vector = features.Extractor.Extract(image);
        database.Write(() => features.Add(id, vector));
    }

    /// <summary>Runs one repair; its description when it worked, null (still a problem) when it did not.</summary>
    private string? Try(Action action, string done)
    {
        try
        {
            action();
            return done;
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            logger.LogWarning(e, "Store repair failed: {Message}", e.Message);
            return null;
        }
    }
}

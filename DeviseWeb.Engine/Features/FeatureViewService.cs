using System.Diagnostics;
using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Storage;
using Microsoft.Extensions.Logging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DeviseWeb.Engine.Features;

/// <summary>
/// Computes the augmented views training can sample from: for each image with features, the views it lacks, each
/// decoded from the stored original by the import's loader, augmented (<see cref="ViewAugmentation"/>) and run
/// through the same backbone. One single-threaded backbone call per core, as the import does. An image's views are
/// written together once computed, so a cancelled job keeps what it finished and the next run skips it.
/// </summary>
public sealed class FeatureViewService(ImageRepository images, SafeImageLoader loader, FeatureStore features, FeatureViewStore views,
    DeviseDatabase database, EngineOptions options, ILogger<FeatureViewService> logger)
{
    /// <summary>The job a host queues to compute missing views (the Training page, the CLI's <c>views</c>).</summary>
    public static JobRequest Request(int count = FeatureViewsJobOptions.DefaultCount, ViewBackground background = ViewBackground.White) =>
        new() { Kind = JobKind.FeatureViews, Views = new FeatureViewsJobOptions(count, background) };

    /// <summary>Throws <see cref="InvalidInputException"/> for a request that cannot run.</summary>
    public void Validate(FeatureViewsJobOptions request)
    {
        if (request.Count is < 1 or > FeatureViewStore.MaxViews)
            throw new InvalidInputException($"Count must be between 1 and {FeatureViewStore.MaxViews} views per image (got {request.Count}).");
        if (!Enum.IsDefined(request.Background)) throw new InvalidInputException("Background must be White or Scenes.");
        if (request.Background == ViewBackground.Scenes && !SceneRecords().Any())
            throw new InvalidInputException("Scene backgrounds need scene photographs in the gallery (files named scene-*); there are none.");
    }

    public FeatureViewCoverage Coverage(int count, ViewBackground background)
    {
        var ids = features.Ids();
        var have = Enumerable.Range(0, count).Select(v => views.IdsWith(background, v)).ToList();
        return new FeatureViewCoverage(count, background, ids.Count(id => have.All(h => h.Contains(id))), ids.Count);
    }

    public async Task<FeatureViewsSummary> ComputeMissingAsync(FeatureViewsJobOptions request, IProgress<FeatureViewsProgress>? progress,
        CancellationToken cancellationToken)
    {
        Validate(request);
        var clock = Stopwatch.StartNew();
        var ids = features.Ids();
        var have = Enumerable.Range(0, request.Count).Select(v => views.IdsWith(request.Background, v)).ToList();
        var work = ids.Select(id => (Id: id, Missing: Enumerable.Range(0, request.Count).Where(v => !have[v].Contains(id)).ToArray()))
            .Where(w => w.Missing.Length > 0).ToList();
        var backgrounds = request.Background == ViewBackground.Scenes && work.Count > 0 ? LoadScenes(cancellationToken) : [];
        int done = 0, computed = 0, failed = 0;
        var writing = new object();
        try
        {
            progress?.Report(new FeatureViewsProgress(0, work.Count, 0, ""));
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(work, parallel, (item, token) =>
            {
                var record = images.Find(item.Id);
                float[][]? vectors = record is null ? null : Compute(record, item.Missing, backgrounds, token);
                lock (writing)
                {
                    // An image deleted meanwhile has no record: its views are not written back.
                    if (vectors is not null && images.Find(item.Id) is not null)
                        database.Write(() =>
                        {
                            for (int i = 0; i < item.Missing.Length; i++) views.Add(request.Background, item.Missing[i], item.Id, vectors[i]);
                        });
                    if (vectors is not null) computed += item.Missing.Length;
                    else if (record is not null) failed++;
                    progress?.Report(new FeatureViewsProgress(++done, work.Count, computed, record?.FileName ?? ""));
                }
                return ValueTask.CompletedTask;
            }).ConfigureAwait(false);
        }
        finally
        {
            foreach (var scene in backgrounds) scene.Dispose();
        }
        return new FeatureViewsSummary(ids.Count, ids.Count - work.Count, work.Count - failed, computed, failed, clock.Elapsed);
    }

    /// <summary>The missing views of one image; null (logged) when its original cannot be read.</summary>
    private float[][]? Compute(ImageRecord record, int[] missing, IReadOnlyList<Image<Rgb24>> backgrounds, CancellationToken cancellationToken)
    {
        try
        {
            var bytes = loader.ReadFile(Path.Combine(options.DataDirectory, record.StoredFile));
            using var source = loader.DecodeWithAlpha(bytes, record.FileName, cancellationToken);
            var result = new float[missing.Length][];
            for (int i = 0; i < missing.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var pixels = ViewAugmentation.Make(source, options.BackboneInputSize, ViewAugmentation.SeedOf(record.Id, missing[i]), backgrounds);
                using var view = new LoadedImage(pixels, bytes, record.ContentHash, Path.GetExtension(record.StoredFile).TrimStart('.'));
                result[i] = features.Extractor.Extract(view);
            }
            return result;
        }
        catch (Exception e) when (e is ImageRejectedException or IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "No augmented views for image {ImageId} ({FileName}): {Message}", record.Id, record.FileName, e.Message);
            return null;
        }
    }

    private IEnumerable<ImageRecord> SceneRecords() => images.All().Where(r => PhotoDomain.IsScene(r.FileName));

    private List<Image<Rgb24>> LoadScenes(CancellationToken cancellationToken)
    {
        var scenes = new List<Image<Rgb24>>();
        foreach (var record in SceneRecords())
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                using var image = loader.Load(Path.Combine(options.DataDirectory, record.StoredFile));
                scenes.Add(ViewAugmentation.PrepareBackground(image.Pixels));
            }
            catch (ImageRejectedException e) { logger.LogWarning("Scene {FileName} left out of the backgrounds: {Reason}", record.FileName, e.Reason); }
        }
        if (scenes.Count == 0) throw new ConflictException("No scene photograph (scene-*) could be read for the backgrounds.");
        return scenes;
    }
}

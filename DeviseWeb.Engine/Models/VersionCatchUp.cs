using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Engine.Models;

/// <summary>
/// Brings a version's index up to the gallery: embeds, in batches, every image with features that it lacks (imported
/// after the version was trained, or while it was not loaded). Runs beside concurrent imports and deletes; how it
/// stays exact among them: Storage/README.md.
/// </summary>
internal sealed class VersionCatchUp(DeviseDatabase database, FeatureStore features)
{
    private const int EmbedBatch = 4096;

    /// <summary>Embeds what the version lacks, reporting progress per batch.</summary>
    public void Run(LoadedModel model, IProgress<JobProgress>? progress, CancellationToken cancellationToken)
    {
        var featureIds = features.Ids();
        if (featureIds.Count == model.Index.Count) return; // nothing is ever removed from one and not the other
        var missing = featureIds.Except(model.Index.Ids()).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int start = 0; start < missing.Count; start += EmbedBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var range = missing.Skip(start).Take(EmbedBatch).ToList();
            var found = features.FindMany(range);
            var batch = range.Where((_, i) => found[i] is not null).ToList(); // an image deleted since the ids were read has none
            var vectors = model.Embed(found.OfType<float[]>().ToList());
            FaultPoints.Hit(FaultPoints.CatchUpBatchEmbedded);
            database.Write(() =>
            {
                // Under the store's lock every earlier commit is published: an image deleted since it was embedded
                // is gone from the features, and one imported since is in the index already.
                for (int i = 0; i < batch.Count; i++)
                    if (features.Contains(batch[i]) && !model.Index.Contains(batch[i])) model.Index.Add(batch[i], vectors[i]);
            });
            int done = start + range.Count;
            progress?.Report(new JobProgress(done / (double)missing.Count, done, missing.Count, $"Embedding the gallery: {done:N0} / {missing.Count:N0}", clock.Elapsed));
        }
    }
}

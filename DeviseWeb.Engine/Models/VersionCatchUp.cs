using DeviseWeb.Engine.Features;
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

    /// <summary>Images with features the version's index lacks, ascending.</summary>
    public IReadOnlyList<int> Missing(LoadedModel model)
    {
        var featureIds = features.Ids();
        if (featureIds.Count == model.Index.Count) return []; // nothing is ever removed from one and not the other
        var indexed = model.Index.Ids().ToHashSet();
        return featureIds.Where(id => !indexed.Contains(id)).ToList();
    }

    /// <summary>Embeds what the version lacks.</summary>
    public void Run(LoadedModel model, CancellationToken cancellationToken) => Run(model, Missing(model), null, cancellationToken);

    /// <summary>
    /// Embeds <paramref name="missing"/> (from <see cref="Missing"/>) in batches; <paramref name="batchDone"/> hears how many
    /// are done after each (it may throw to stop), and a cancel is checked before each.
    /// </summary>
    public void Run(LoadedModel model, IReadOnlyList<int> missing, Action<int>? batchDone, CancellationToken cancellationToken)
    {
        for (int start = 0; start < missing.Count; start += EmbedBatch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var range = missing.Skip(start).Take(EmbedBatch).ToList();
            var found = features.FindMany(range);
            var batch = range.Where((_, i) => found[i] is not null).ToList(); // an image deleted since the ids were read has none
            var vectors = model.Embed(found.OfType<float[]>().ToList(), cancellationToken);
            FaultPoints.Hit(FaultPoints.CatchUpBatchEmbedded);
            database.Write(() =>
            {
                // Under the store's lock every earlier commit is published: an image deleted since it was embedded
                // is gone from the features, and one imported since is in the index already. Asked for the whole batch
                // at once: with the vectors in PostgreSQL each read is a round trip.
                var stillThere = features.ContainsMany(batch);
                var indexed = model.Index.ContainsMany(batch);
                for (int i = 0; i < batch.Count; i++)
                    if (stillThere[i] && !indexed[i]) model.Index.Add(batch[i], vectors[i]);
            });
            batchDone?.Invoke(start + range.Count);
        }
    }
}

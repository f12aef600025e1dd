using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// Compacts every vector column so deleted images' rows leave the segment files, then forgets their ids.
/// </summary>
public sealed class VectorMaintenance(VectorColumnStore columns, VectorIndexes indexes, FeatureStore features, ModelService models, ModelRepository modelRecords)
{
    /// <summary>Compacts every column; returns how many removed ids were dropped for good.</summary>
    public async Task<int> CompactAllAsync(IProgress<JobProgress>? progress, CancellationToken cancellationToken)
    {
        var removed = columns.Removed();
        if (removed.Count == 0) return 0;
        var versions = modelRecords.All().Where(m => columns.Exists(VectorColumnStore.EmbeddingsColumn(m.Id))).ToList();
        int steps = versions.Count + 1, done = 0;
        progress?.Report(new JobProgress(0, 0, steps, "Compacting the features"));
        await features.Index.CompactAsync(cancellationToken).ConfigureAwait(false);
        foreach (var version in versions)
        {
            progress?.Report(new JobProgress(++done / (double)steps, done, steps, $"Compacting model version {version.Id}"));
            if (version.RetiredMethod is not null)
            {
                // A version this release refuses to load is never open elsewhere: its column is compacted on its own.
                using var retired = indexes.Open(columns.Open(VectorColumnStore.EmbeddingsColumn(version.Id), version.EmbeddingDimension, quantized: true),
                    VectorIndexOptions.Default);
                await retired.CompactAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }
            using var lease = models.Acquire(version.Id);
            await lease.Model.Index.CompactAsync(cancellationToken).ConfigureAwait(false);
        }
        columns.PurgeRemoved(removed.ToList());
        progress?.Report(new JobProgress(1, steps, steps, "Compacted"));
        return removed.Count;
    }
}

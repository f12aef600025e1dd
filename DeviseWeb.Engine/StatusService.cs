using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine;

/// <summary>What the data directory holds and what serves it, in one record for status lines.</summary>
public sealed class StatusService(EngineOptions options, ImageRepository images, ModelService models, ModelRepository modelRecords, KeywordService keywords,
    VectorIndexes indexes)
{
    public EngineStatus Get()
    {
        var labels = images.LabelCounts();
        return new EngineStatus(
            Path.GetFullPath(options.DataDirectory),
            labels.Sum(l => l.Count),
            labels.Count,
            modelRecords.All().Count,
            models.ActiveModelId,
            models.IndexedCount,
            indexes.Provider == Search.Index.IndexProvider.Pgvector ? indexes.Location : DeviceChooser.Device.type.ToString(),
            options.BackboneName,
            "all-MiniLM-L6-v2",
            keywords.Size);
    }
}

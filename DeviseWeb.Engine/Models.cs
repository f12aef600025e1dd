using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine;

/// <summary>A gallery image as hosts see it; Split is relative to the active model version.</summary>
public sealed record ImageInfo(int Id, string Label, string FileName, int Width, int Height, long ByteCount, DateTime AddedUtc, SplitKind Split);

public sealed record SearchHit(ImageInfo Image, float Score);

public sealed record KeywordHit(string Word, float Score);

public enum ImportOutcome { Added, Duplicate, Rejected }

public sealed record ImportFileResult(string FileName, ImportOutcome Outcome, ImageInfo? Image, string? Reason);

public sealed record ImportProgress(int Done, int Total, string? CurrentFile, int Added, int Duplicates, int Rejected);

public sealed record ImportSummary(int Added, int Duplicates, int Rejected, IReadOnlyList<ImportFileResult> Rejections, TimeSpan Elapsed)
{
    public int Total => Added + Duplicates + Rejected;
}

public sealed record LabelCount(string Label, int Count, SplitKind Split);

public sealed record DatasetSummary(int ImageCount, IReadOnlyList<LabelCount> Labels, IReadOnlyList<string> HeldOutLabels);

public sealed record ImageQuery(string? Label = null, SplitKind? Split = null, int Skip = 0, int Take = 60);

public sealed record ImagePage(IReadOnlyList<ImageInfo> Items, int Total);

/// <summary>
/// Any mix of phrases, gallery images and uploaded reference images: the query vector is the normalised
/// sum of their unit vectors ("engine" + "boat", a photo + "at night").
/// </summary>
public sealed record SearchQuery
{
    public IReadOnlyList<string> Texts { get; init; } = [];
    public IReadOnlyList<int> ImageIds { get; init; } = [];
    /// <summary>Content hashes returned by <see cref="DeviseEngine.StoreReferenceAsync"/>.</summary>
    public IReadOnlyList<string> ReferenceHashes { get; init; } = [];
    public int K { get; init; } = 24;
    /// <summary>Drop results scoring below this cosine.</summary>
    public float MinScore { get; init; } = -1f;
    /// <summary>Search under this model version instead of the active one, so a shared link keeps its results.</summary>
    public int? ModelId { get; init; }
    /// <summary>Leave the query's own gallery images out of the results.</summary>
    public bool ExcludeQueryImages { get; init; }

    public bool IsEmpty => Texts.Count == 0 && ImageIds.Count == 0 && ReferenceHashes.Count == 0;
}

public sealed record SearchResult(IReadOnlyList<SearchHit> Hits, int ModelId);

public sealed record ModelVersionInfo(
    int Id,
    DateTime CreatedUtc,
    TrainingOptions Options,
    string Architecture,
    IReadOnlyList<string> HeldOutLabels,
    int TrainCount,
    int ValidationCount,
    int HeldOutCount,
    IReadOnlyList<EpochMetrics> History,
    EvaluationReport? Evaluation,
    double DurationSeconds,
    bool IsActive);

public sealed record EngineStatus(
    string DataDirectory,
    int ImageCount,
    int LabelCount,
    int ModelCount,
    int? ActiveModelId,
    int IndexedCount,
    string Device,
    string Backbone,
    string TextEncoder,
    int? VocabularySize);

/// <summary>A request the engine cannot serve: an unknown id, a missing file, nothing to train on.</summary>
public sealed class DeviseException(string message) : Exception(message);

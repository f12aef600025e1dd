using DeviseWeb.Engine.Training;

namespace DeviseWeb.Engine.Gallery;

/// <summary>A gallery image as hosts see it; Split is relative to the active model version, or Evaluation for an evaluation-only image.</summary>
public sealed record ImageInfo(int Id, string Label, string FileName, int Width, int Height, long ByteCount, DateTime AddedUtc, SplitKind Split);

public enum ImportOutcome { Added, Duplicate, Rejected }

public sealed record ImportFileResult(string FileName, ImportOutcome Outcome, ImageInfo? Image, string? Reason);

public sealed record ImportProgress(int Done, int Total, string? CurrentFile, int Added, int Duplicates, int Rejected);

/// <summary>An import's outcome: exact counts, and the first <see cref="ImportService.MaxListedRejections"/> rejections with their reasons.</summary>
public sealed record ImportSummary(int Added, int Duplicates, int Rejected, IReadOnlyList<ImportFileResult> Rejections, TimeSpan Elapsed)
{
    public int Total => Added + Duplicates + Rejected;
}

public sealed record LabelCount(string Label, int Count, SplitKind Split);

public sealed record DatasetSummary(int ImageCount, IReadOnlyList<LabelCount> Labels, IReadOnlyList<string> HeldOutLabels);

public sealed record ImageQuery(string? Label = null, SplitKind? Split = null, int Skip = 0, int Take = 60);

public sealed record ImagePage(IReadOnlyList<ImageInfo> Items, int Total);

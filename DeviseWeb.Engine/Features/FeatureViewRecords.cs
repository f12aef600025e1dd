using DeviseWeb.Engine.Imaging;

namespace DeviseWeb.Engine.Features;

/// <summary>A views job's request: views 0…Count−1 of every image, on white or on scene crops.</summary>
public sealed record FeatureViewsJobOptions(int Count = FeatureViewsJobOptions.DefaultCount, ViewBackground Background = ViewBackground.White)
{
    public const int DefaultCount = 4;
}

/// <summary>How far a views job is: images done of those that lacked a view, and views computed so far.</summary>
public sealed record FeatureViewsProgress(int Done, int Total, int ViewsComputed, string CurrentFile);

/// <summary>
/// What a views job did: of <paramref name="Images"/> with features, <paramref name="Skipped"/> already had every view,
/// <paramref name="ImagesComputed"/> got <paramref name="ViewsComputed"/> new ones, <paramref name="Failed"/> could not be read.
/// </summary>
public sealed record FeatureViewsSummary(int Images, int Skipped, int ImagesComputed, int ViewsComputed, int Failed, TimeSpan Elapsed)
{
    public double ViewsPerSecond => Elapsed.TotalSeconds > 0 ? ViewsComputed / Elapsed.TotalSeconds : 0;
}

/// <summary>How many images have every one of the first <paramref name="Count"/> views on a background.</summary>
public sealed record FeatureViewCoverage(int Count, ViewBackground Background, int ImagesWithViews, int Images);

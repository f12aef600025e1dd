using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;

namespace DeviseWeb.Cli.Verbs;

/// <summary>views.</summary>
public static class FeatureViewVerbs
{
    public static async Task<int> ViewsAsync(CommandContext c)
    {
        int count = c.Cli.GetInt("--count", FeatureViewsJobOptions.DefaultCount);
        var background = c.Cli.Has("--backgrounds") ? ViewBackground.Scenes : ViewBackground.White;
        var job = await CliJobs.RunAsync(c, FeatureViewService.Request(count, background), "views");
        var summary = job.Result?.Views ?? throw new DeviseException("The views job finished without a summary.");
        if (c.Json) { c.WriteJson(summary); return 0; }
        c.Output.WriteLine($"Computed {summary.ViewsComputed:N0} views on {FeatureViewStore.BackgroundName(background)} for {summary.ImagesComputed:N0} images " +
            $"in {summary.Elapsed.TotalSeconds:0.0} s ({summary.ViewsPerSecond:0.0} views/s); {summary.Skipped:N0} already had all {count}" +
            $"{(summary.Failed > 0 ? $", {summary.Failed:N0} could not be read" : "")}. Train with --views {count}{(background == ViewBackground.Scenes ? " --view-backgrounds" : "")} to use them.");
        return summary.Failed > 0 ? CliCommands.Failed : CliCommands.Done;
    }
}

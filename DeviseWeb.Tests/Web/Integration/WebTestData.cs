using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// A data directory holding a small real gallery and a trained, active model, built once per test run by a
/// short-lived engine of its own and then copied for each web host: importing runs the backbone on every
/// image (the slow part), so it is done once, and no two engines ever open the same directory.
/// </summary>
public static class WebTestData
{
    /// <summary>Vocabulary words the hosts embed; small so keyword queries stay quick.</summary>
    public const int VocabularyLimit = 2000;

    /// <summary>Labels the template model was trained on (none held out), so a search for one finds its images.</summary>
    public static readonly IReadOnlyList<string> Labels = ["airplane", "apple", "dog", "moon", "fish", "clock", "penguin", "tree", "rabbit"];

    /// <summary>Demo images left out of the template so that tests can upload them as new content.</summary>
    public static readonly IReadOnlyList<(string Label, string FileName)> NotImported =
        [("apple", "stamp-apple-red.png"), ("rabbit", "stamp-rabbit.png")];

    /// <summary>Epochs of the template's model, the one active when a host starts.</summary>
    public const int TemplateEpochs = 20;

    private static readonly Lazy<Task<string>> Template = new(BuildTemplateAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Full path of a demo image that is not in the template gallery.</summary>
    public static string NewImagePath(int index) => TestData.DemoImage(NotImported[index].Label, NotImported[index].FileName);

    /// <summary>A new temporary directory holding a copy of the template (built on first use).</summary>
    public static async Task<string> CopyTemplateAsync()
    {
        var template = await Template.Value.ConfigureAwait(false);
        var target = TestData.NewTemporaryDirectory("web-data");
        foreach (var file in Directory.EnumerateFiles(template, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(template, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return target;
    }

    public static void DeleteQuietly(string directory)
    {
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { /* a temp folder left behind is harmless */ }
        catch (UnauthorizedAccessException) { }
    }

    private static async Task<string> BuildTemplateAsync()
    {
        var dataset = TestData.CopySubset(Labels);
        foreach (var (label, fileName) in NotImported) File.Delete(Path.Combine(dataset, label, fileName));
        var directory = TestData.NewTemporaryDirectory("web-template");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(directory);
        using (var engine = new DeviseEngine(new EngineOptions { DataDirectory = directory, VocabularyLimit = VocabularyLimit }))
        {
            var summary = await engine.ImportFolderAsync(dataset).ConfigureAwait(false);
            if (summary.Added == 0 || summary.Rejected > 0)
                throw new InvalidOperationException($"Template import went wrong: {summary.Added} added, {summary.Rejected} rejected.");
            await engine.TrainAsync(new TrainingOptions { Epochs = TemplateEpochs, HeldOutLabelCount = 0, Seed = 7 }).ConfigureAwait(false);
            await engine.EnsureVocabularyAsync().ConfigureAwait(false);
        }
        DeleteQuietly(dataset);
        return directory;
    }
}

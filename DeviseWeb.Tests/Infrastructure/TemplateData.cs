using DeviseWeb.Engine.Evaluation;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>
/// The one trained data directory every engine, web and browser test starts from: 19 demo labels (Tux Paint stamps,
/// emoji and GCompris photographs, 4–35 images each) imported with the demo's evaluation marks (its scene photographs
/// and the GCompris photographs of every third GCompris label: evaluation-only) and its everyday words, a model trained
/// on the rest with "bear" held out for zero-shot tests, and a small keyword vocabulary. Built once per test run by a host composed like the app's
/// (AddDeviseEngine, an Import job, a Training job, the Vocabulary job) because importing runs the backbone on every
/// image, the slow part. A data directory is locked by the process that opens it, so consumers never open the template:
/// each gets a private copy (<see cref="CopyAsync"/>, or <see cref="EngineHost.StartOnTemplateAsync"/>).
/// </summary>
public static class TemplateData
{
    /// <summary>Every label in the template: what the engine, web and browser tests each need, in one set.</summary>
    public static readonly IReadOnlyList<string> Labels =
    [
        "airplane", "apple", "bear", "boat", "bus", "car", "cat", "clock", "dog", "fish",
        "flower", "horse", "house", "moon", "penguin", "pig", "rabbit", "tree", "whale",
    ];

    /// <summary>The label the template's model never trained on: its images are the zero-shot test.</summary>
    public const string HeldOutLabel = "bear";

    /// <summary>Demo images left out of the template, so tests can upload them as new content.</summary>
    public static readonly IReadOnlyList<(string Label, string FileName)> NotImported =
        [("apple", "photo-apple-red.png"), ("rabbit", "photo-rabbit.png")];

    /// <summary>Vocabulary words embedded into the template's cache; every host over a copy must use the same limit to reuse it.</summary>
    public const int VocabularyLimit = 2000;

    /// <summary>Epochs of the template's model.</summary>
    public const int Epochs = 40;

    /// <summary>How the template's model was trained.</summary>
    public static readonly TrainingOptions TrainingOptions =
        new() { Epochs = Epochs, HeldOutLabelCount = 0, HeldOutLabels = [HeldOutLabel], Seed = 3 };

    private static readonly Lazy<Task<string>> Template = new(BuildAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The demo files of a label that are in the template, in ordinal order.</summary>
    public static IReadOnlyList<string> Files(string label) =>
        Directory.GetFiles(Path.Combine(TestData.RequireDemo(), label)).Order(StringComparer.Ordinal)
            .Where(f => !NotImported.Contains((label, Path.GetFileName(f)))).ToList();

    /// <summary>Images of a label in the template.</summary>
    public static int CountOf(string label) => Files(label).Count;

    /// <summary>Images in the template.</summary>
    public static int ImageCount => Labels.Sum(CountOf);

    /// <summary>The template's evaluation-only images of a label (the demo marks them in its evaluation.txt), full paths.</summary>
    public static IReadOnlyList<string> EvaluationFiles(string label)
    {
        var marked = TestData.DemoEvaluationImages();
        return Files(label).Where(f => marked.Contains($"{label}/{Path.GetFileName(f)}")).ToList();
    }

    /// <summary>Evaluation-only images in the template: in the gallery, never trained on.</summary>
    public static int EvaluationCount => Labels.Sum(l => EvaluationFiles(l).Count);

    /// <summary>Full path of a demo image that is not in the template.</summary>
    public static string NotImportedPath(int index) => TestData.DemoImage(NotImported[index].Label, NotImported[index].FileName);

    /// <summary>A new temporary directory holding a copy of the template (built on first use).</summary>
    public static async Task<string> CopyAsync(string purpose = "engine-data")
    {
        var template = await Template.Value.ConfigureAwait(false);
        var target = TestData.NewTemporaryDirectory(purpose);
        foreach (var file in Directory.EnumerateFiles(template, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(template, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return target;
    }

    public static void DeleteQuietly(string directory) => TestData.DeleteQuietly(directory);

    private static async Task<string> BuildAsync()
    {
        var dataset = TestData.CopySubset(Labels);
        foreach (var (label, fileName) in NotImported) File.Delete(Path.Combine(dataset, label, fileName));
        TestData.WriteEvaluationList(dataset);
        File.Copy(Path.Combine(TestData.RequireDemo(), EverydayWords.FileName), Path.Combine(dataset, EverydayWords.FileName));
        var directory = TestData.NewTemporaryDirectory("template");
        try
        {
            await using var host = await EngineHost.StartAsync(directory).ConfigureAwait(false);
            var import = await host.ImportAsync(dataset).ConfigureAwait(false);
            if (import.Added != ImageCount || import.Rejected > 0)
                throw new InvalidOperationException($"Template import went wrong: {import.Added} of {ImageCount} added, {import.Rejected} rejected.");
            await host.TrainAsync(TrainingOptions).ConfigureAwait(false);
            var vocabulary = await host.RunJobAsync(new JobRequest { Kind = JobKind.Vocabulary }).ConfigureAwait(false);
            if (vocabulary.State != JobState.Finished) throw new InvalidOperationException($"Template vocabulary: {vocabulary.State} {vocabulary.Error}");
        }
        finally
        {
            DeleteQuietly(dataset);
        }
        return directory;
    }
}

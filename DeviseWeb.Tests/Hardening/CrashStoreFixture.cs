using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Hardening;

/// <summary>
/// A small real store the crash tests copy before each run: three demo labels imported, model version 1 trained and
/// active, version 2 trained but not activated, then a fourth label imported, which version 2 has not embedded yet
/// (so activating it re-embeds part of the gallery). Plus a dataset of two labels none of them holds, to import.
/// </summary>
public sealed class CrashStoreFixture : IAsyncLifetime
{
    public static readonly IReadOnlyList<string> TrainedLabels = ["apple", "dog", "fish"];
    public const string LateLabel = "moon";
    public static readonly IReadOnlyList<string> NewLabels = ["pig", "tree"];

    /// <summary>Small and quick: the crash tests care about what is stored, not how well it searches.</summary>
    public static readonly TrainingOptions Training = new() { Epochs = 2, HiddenSize = 64, HeldOutLabelCount = 0, Seed = 5 };

    private readonly string _template = TestData.NewTemporaryDirectory("crash-template");

    /// <summary>A folder-per-label dataset of content the store does not hold.</summary>
    public string NewDataset { get; } = TestData.CopySubset(NewLabels);

    public int NewDatasetCount => Directory.GetFiles(NewDataset, "*", SearchOption.AllDirectories).Length;

    public int StoreImageCount { get; private set; }

    public async Task InitializeAsync()
    {
        var first = TestData.CopySubset(TrainedLabels);
        var late = TestData.CopySubset([LateLabel]);
        static int CountFiles(string directory) => Directory.GetFiles(directory, "*", SearchOption.AllDirectories).Length;
        int files = CountFiles(first) + CountFiles(late);
        try
        {
            await using var host = await EngineHost.StartAsync(_template);
            StoreImageCount += (await host.ImportAsync(first)).Added;
            var active = await host.TrainAsync(Training);
            var inactive = await host.TrainAsync(Training with { Activate = false, Seed = 6 });
            StoreImageCount += (await host.ImportAsync(late)).Added;
            if (active.Id != 1 || inactive.Id != 2 || StoreImageCount != files)
                throw new InvalidOperationException($"Crash template went wrong: versions {active.Id}, {inactive.Id}; {StoreImageCount} images.");
        }
        finally
        {
            TestData.DeleteQuietly(first);
            TestData.DeleteQuietly(late);
        }
    }

    /// <summary>A new data directory holding a copy of the store (closed, so copying it is safe).</summary>
    public string CopyStore()
    {
        var target = TestData.NewTemporaryDirectory("crash-store");
        foreach (var file in Directory.EnumerateFiles(_template, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(target, Path.GetRelativePath(_template, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        return target;
    }

    public Task DisposeAsync()
    {
        TestData.DeleteQuietly(_template);
        TestData.DeleteQuietly(NewDataset);
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class CrashStoreCollection : ICollectionFixture<CrashStoreFixture>
{
    public const string Name = "crash store";
}

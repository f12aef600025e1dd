using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Cli;

/// <summary>
/// One small real store built through the CLI itself: seven demo labels (7–35 images each) imported with the demo's
/// evaluation list, then a 3-epoch model trained with one label held out. Tests that change it each use labels of their own.
/// </summary>
public sealed class CliStoreFixture : IAsyncLifetime
{
    public static readonly IReadOnlyList<string> Labels = ["airplane", "apple", "dog", "fish", "moon", "pig", "tree"];

    public string DataDirectory { get; } = TestData.NewTemporaryDirectory("cli-store");

    public string DatasetDirectory { get; } = TestData.WriteEvaluationList(TestData.CopySubset(Labels));

    /// <summary>The demo's evaluation-only images among the labels: imported, never trained on.</summary>
    public int EvaluationCount => TestData.DemoEvaluationImages().Count(entry => Labels.Contains(entry.Split('/')[0]));

    public int ImageCount => Labels.Sum(l => Directory.GetFiles(Path.Combine(DatasetDirectory, l)).Length);

    public CliRun Import { get; private set; } = null!;

    public CliRun Train { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Import = await CliRunner.RunAsync("import", DatasetDirectory, "--data", DataDirectory);
        Train = await CliRunner.RunAsync("train", "--epochs", "3", "--holdout", "1", "--seed", "3", "--data", DataDirectory);
    }

    public Task<CliRun> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--data", DataDirectory]);

    public Task DisposeAsync()
    {
        foreach (var directory in new[] { DataDirectory, DatasetDirectory })
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { /* the temp folder is cleaned eventually */ }
        }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class CliStoreCollection : ICollectionFixture<CliStoreFixture>
{
    public const string Name = "cli store";
}

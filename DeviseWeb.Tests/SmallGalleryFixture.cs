using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests;

/// <summary>A real engine on 12 demo labels (real stamps and emoji), imported and trained briefly, with "bear" held out.</summary>
public sealed class SmallGalleryFixture : IAsyncLifetime
{
    public static readonly string[] Labels =
        ["airplane", "apple", "bear", "boat", "car", "cat", "dog", "fish", "flower", "horse", "house", "tree"];

    public EngineOptions Options { get; } = new()
    {
        DataDirectory = TestData.NewTemporaryDirectory("small-gallery"),
        VocabularyLimit = 3000,
    };

    public DeviseEngine Engine { get; private set; } = null!;
    public string DatasetDirectory { get; } = TestData.CopySubset(Labels);
    public ImportSummary Import { get; private set; } = null!;
    public ModelVersionInfo Model { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Engine = new DeviseEngine(Options);
        Import = await Engine.ImportFolderAsync(DatasetDirectory);
        Model = await Engine.TrainAsync(new TrainingOptions { Epochs = 40, HeldOutLabelCount = 0, HeldOutLabels = ["bear"], Seed = 3 });
    }

    public Task DisposeAsync()
    {
        Engine.Dispose();
        return Task.CompletedTask;
    }
}

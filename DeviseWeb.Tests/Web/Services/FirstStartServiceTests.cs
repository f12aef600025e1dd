using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DeviseWeb.Tests.Web.Services;

// Trains real models with TorchSharp: runs in the sequential collection.
[Collection(TrainedEngineCollection.Name)]
public sealed class FirstStartServiceTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    private readonly string _seed = TestData.CopySubset(["apple", "boat", "cat", "dog", "tree"]);
    private readonly DeviseEngine _engine = new(new EngineOptions { DataDirectory = TestData.NewTemporaryDirectory("first-start"), VocabularyLimit = 300 });
    private readonly FirstStartState _state = new();

    private FirstStartService Service(bool firstStart, TrainingJobRunner runner) => new(_engine, runner, _state,
        Options.Create(new DeviseWebOptions { FirstStart = firstStart, SeedDirectory = _seed }), NullLogger<FirstStartService>.Instance);

    [Fact]
    public async Task ExecuteAsync_EmptyGalleryAndASeedFolder_ImportsTrainsAndWarmsTheVocabulary()
    {
        var runner = new TrainingJobRunner(_engine);
        var stages = new List<FirstStartStage>();
        using var subscription = _state.Subscribe(s => { lock (stages) if (stages.LastOrDefault() != s.Stage) stages.Add(s.Stage); return Task.CompletedTask; });

        using var service = Service(firstStart: true, runner);
        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!.WaitAsync(Wait);

        int files = Directory.GetFiles(_seed, "*", SearchOption.AllDirectories).Length;
        Assert.Equal(files, _engine.GetStatus().ImageCount);
        Assert.NotNull(_engine.ActiveModel);
        Assert.Equal(TrainingJobState.Finished, runner.Current!.State);
        Assert.NotNull(_engine.GetStatus().VocabularySize);
        Assert.Equal(FirstStartStage.Done, _state.Current.Stage);
        lock (stages) Assert.Equal([FirstStartStage.Importing, FirstStartStage.Training, FirstStartStage.WarmingVocabulary, FirstStartStage.Done], stages);
    }

    [Fact]
    public async Task ExecuteAsync_TurnedOff_LeavesTheGalleryEmpty()
    {
        var runner = new TrainingJobRunner(_engine);

        using var service = Service(firstStart: false, runner);
        await service.StartAsync(CancellationToken.None);
        await service.ExecuteTask!.WaitAsync(Wait);

        Assert.Equal(0, _engine.GetStatus().ImageCount);
        Assert.Null(runner.Current);
        Assert.Equal(FirstStartStage.Idle, _state.Current.Stage);
    }

    public void Dispose()
    {
        _engine.Dispose();
        try
        {
            Directory.Delete(_seed, recursive: true);
            Directory.Delete(_engine.Options.DataDirectory, recursive: true);
        }
        catch (IOException) { }
    }
}

using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Services;
using DeviseWeb.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeviseWeb.Tests.Web.Services;

/// <summary>First start on a real engine host with its job worker: an empty data directory and a small seed folder.</summary>
public sealed class FirstStartServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromMinutes(3);
    private readonly string _seed = TestData.WriteEvaluationList(TestData.CopySubset(["apple", "boat", "cat", "dog", "tree"]));
    private readonly string _data = TestData.NewTemporaryDirectory("first-start");
    private EngineHost? _host;

    private async Task<FirstStartService> StartAsync(bool firstStart)
    {
        _host = await EngineHost.StartAsync(_data, o => o.VocabularyLimit = 300, addServices: services =>
        {
            services.Configure<DeviseWebOptions>(o => { o.FirstStart = firstStart; o.SeedDirectory = _seed; });
            services.AddHostedService<FirstStartService>();
        });
        var service = _host.Services.GetServices<IHostedService>().OfType<FirstStartService>().Single();
        await service.ExecuteTask!.WaitAsync(Wait);
        return service;
    }

    [Fact]
    public async Task ExecuteAsync_EmptyGalleryAndASeedFolder_QueuesImportTrainingAndVocabularyInTurn()
    {
        await StartAsync(firstStart: true);

        int files = Directory.GetDirectories(_seed).Sum(label => Directory.GetFiles(label).Length);
        Assert.Equal(files, _host!.Get<GalleryService>().Count);
        // The seed's evaluation list marks its photographs, as the demo's does: in the gallery, never trained on.
        var evaluation = _host.Get<ImageRepository>().EvaluationIds();
        Assert.Equal(File.ReadLines(Path.Combine(_seed, DatasetFolder.EvaluationFileName)).Count(), evaluation.Count);
        var version = _host.Get<ModelService>().List().Single();
        Assert.Equal(files - evaluation.Count, version.TrainCount + version.ValidationCount + version.HeldOutCount);
        Assert.Equal(evaluation.Count, version.Evaluation!.PhotoImageCount);
        Assert.NotNull(_host.Get<ModelService>().ActiveModelId);
        var jobs = _host.Get<JobQueue>().Recent().Reverse().ToList();
        Assert.Equal([JobKind.Import, JobKind.Training, JobKind.Vocabulary], jobs.Select(j => j.Kind));
        Assert.All(jobs, j => Assert.Equal(JobState.Finished, j.State));
        Assert.Equal(1, jobs[1].Request.Training!.HeldOutLabelCount); // 5 labels: min(10, 5 / 4), so a small seed keeps most for training
        Assert.True(jobs[2].Result!.VocabularySize > 0);
    }

    [Fact]
    public async Task ExecuteAsync_TurnedOff_LeavesTheGalleryEmptyAndQueuesNothing()
    {
        await StartAsync(firstStart: false);

        Assert.Equal(0, _host!.Get<GalleryService>().Count);
        Assert.Empty(_host.Get<JobQueue>().Recent());
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        TemplateData.DeleteQuietly(_seed);
        TemplateData.DeleteQuietly(_data);
    }
}

using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>
/// The one way tests compose the engine: a generic host with <c>AddDeviseEngine</c>, started (so the job worker
/// runs), over one data directory. Disposing it stops the worker and releases the directory's lock.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    /// <summary>A guard against a hung job, not a speed requirement: far longer than any test job takes.</summary>
    private static readonly TimeSpan JobGuard = TimeSpan.FromMinutes(10);

    private readonly IHost _host;
    private readonly bool _ownsDirectory;
    private bool _stopped, _disposed;

    private EngineHost(IHost host, string dataDirectory, bool ownsDirectory)
    {
        _host = host;
        DataDirectory = dataDirectory;
        _ownsDirectory = ownsDirectory;
    }

    public string DataDirectory { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>A host over a data directory; <paramref name="configure"/> runs after the test defaults (the template's vocabulary limit).</summary>
    public static Task<EngineHost> StartAsync(string dataDirectory, Action<EngineOptions>? configure = null, Action<IServiceCollection>? addServices = null) =>
        StartAsync(dataDirectory, configure, ownsDirectory: false, addServices);

    /// <summary>A host over a private copy of the trained template, deleted when the host is disposed.</summary>
    public static async Task<EngineHost> StartOnTemplateAsync(Action<EngineOptions>? configure = null, Action<IServiceCollection>? addServices = null) =>
        await StartAsync(await TemplateData.CopyAsync().ConfigureAwait(false), configure, ownsDirectory: true, addServices).ConfigureAwait(false);

    /// <summary>A host over a new empty data directory, deleted when the host is disposed.</summary>
    public static Task<EngineHost> StartEmptyAsync(Action<EngineOptions>? configure = null, Action<IServiceCollection>? addServices = null) =>
        StartAsync(TestData.NewTemporaryDirectory("empty-engine"), configure, ownsDirectory: true, addServices);

    private static async Task<EngineHost> StartAsync(string dataDirectory, Action<EngineOptions>? configure, bool ownsDirectory,
        Action<IServiceCollection>? addServices = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddDeviseEngine(o =>
        {
            o.DataDirectory = dataDirectory;
            o.VocabularyLimit = TemplateData.VocabularyLimit;
            o.JobCpuPriority = JobCpuPriority.Normal; // JobPriorityForTests says why
            configure?.Invoke(o);
        });
        addServices?.Invoke(builder.Services);
        var host = builder.Build();
        try
        {
            await host.StartAsync().ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            if (ownsDirectory) TemplateData.DeleteQuietly(dataDirectory);
            throw;
        }
        return new EngineHost(host, dataDirectory, ownsDirectory);
    }

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Stops the host as an app shutting down would: the job worker cancels its job and waits for it.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _host.StopAsync().ConfigureAwait(false);
    }

    /// <summary>Queues a job and waits for its end; returns it in its final state, whatever that is.</summary>
    public async Task<JobInfo> RunJobAsync(JobRequest request)
    {
        var queue = Get<JobQueue>();
        var job = queue.Enqueue(request);
        return await WaitAsync(job.Id).ConfigureAwait(false);
    }

    /// <summary>Waits for a queued or running job's end.</summary>
    public Task<JobInfo> WaitAsync(string jobId) => Get<JobQueue>().WaitAsync(jobId).WaitAsync(JobGuard);

    /// <summary>Imports a folder-per-label dataset (or one file under a label) through an Import job.</summary>
    public async Task<ImportSummary> ImportAsync(string path, string? label = null) =>
        Succeeded(await RunJobAsync(new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(path, label) }).ConfigureAwait(false))
            .Result!.Import!;

    /// <summary>Trains a model version through a Training job.</summary>
    public async Task<ModelVersionInfo> TrainAsync(TrainingOptions options) =>
        Succeeded(await RunJobAsync(new JobRequest { Kind = JobKind.Training, Training = options }).ConfigureAwait(false)).Result!.Model!;

    /// <summary>Makes a model version the active one through an Activation job.</summary>
    public async Task<ModelVersionInfo> ActivateAsync(int modelId) =>
        Succeeded(await RunJobAsync(new JobRequest { Kind = JobKind.Activation, ModelId = modelId }).ConfigureAwait(false)).Result!.Model!;

    private static JobInfo Succeeded(JobInfo job) =>
        job.State == JobState.Finished ? job : throw new InvalidOperationException($"Job {job.Description} ended {job.State}: {job.Error}");

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try { await StopAsync().ConfigureAwait(false); }
        finally
        {
            if (_host is IAsyncDisposable asyncHost) await asyncHost.DisposeAsync().ConfigureAwait(false);
            else _host.Dispose();
            if (_ownsDirectory) TemplateData.DeleteQuietly(DataDirectory);
        }
    }
}

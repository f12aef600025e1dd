using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DeviseWeb.Tests.Web.Integration;

/// <summary>
/// The engine without the web app: a generic host composed by AddDeviseEngine over one data directory and
/// started, so its job worker runs. Builds the template data, and serves components that need an engine the
/// shared app cannot give (an empty gallery, a tiny file limit). Disposing it releases the data directory.
/// </summary>
public sealed class EngineHost : IAsyncDisposable
{
    private readonly IHost _host;

    private EngineHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public static async Task<EngineHost> StartAsync(Action<EngineOptions> configure, Action<IServiceCollection>? addServices = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLogging();
        builder.Services.AddDeviseEngine(configure);
        addServices?.Invoke(builder.Services);
        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        return new EngineHost(host);
    }

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    /// <summary>Queues a job and waits for it; throws unless it finished.</summary>
    public async Task<JobInfo> RunJobAsync(JobRequest request)
    {
        var jobs = Get<JobQueue>();
        var done = await jobs.WaitAsync(jobs.Enqueue(request).Id).ConfigureAwait(false);
        return done.State == JobState.Finished ? done : throw new InvalidOperationException($"{done.Description} ended {done.State}: {done.Error}");
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync().ConfigureAwait(false);
        _host.Dispose();
    }
}

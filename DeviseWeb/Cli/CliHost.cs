using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Storage;
using Microsoft.Extensions.Logging.Console;

namespace DeviseWeb.Cli;

/// <summary>
/// The CLI's composition: a generic host (no web server) with the engine added the one way every host adds it, so
/// long verbs run on the same job queue and worker as the web app's.
/// </summary>
public static class CliHost
{
    /// <summary>
    /// Configuration as the CLI has always read it: appsettings.json beside the executable, then in the current
    /// directory, then environment variables (<c>Devise__DataDirectory</c>), then <c>--data</c>. Logging is quiet:
    /// warnings and up, on stderr (<c>--verbose</c>: information too).
    /// </summary>
    public static IHost Build(CliArguments cli, Action<EngineOptions>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables();

        bool verbose = cli.Has("--verbose");
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        // A failed job's message is printed by the verb that ran it; the worker's copy (with the stack) only with --verbose.
        builder.Logging.AddFilter(typeof(JobWorker).FullName, verbose ? LogLevel.Information : LogLevel.None);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        // No requests to make way for in a CLI process: its jobs would only give way to other processes. Configurable still.
        builder.Services.Configure<EngineOptions>(o => o.JobCpuPriority = JobCpuPriority.Normal);
        builder.Services.Configure<EngineOptions>(builder.Configuration.GetSection(EngineOptions.SectionName));
        string? data = cli.Get("--data");
        builder.Services.AddDeviseEngine(o =>
        {
            if (data is not null) o.DataDirectory = data;
            configure?.Invoke(o);
        });
        return builder.Build();
    }

    /// <summary>
    /// Opens the data directory, then starts the host (its job worker). Taking the directory first makes one that is
    /// in use a plain <see cref="DataDirectoryInUseException"/> naming its holder, not a host that failed to start.
    /// </summary>
    public static async Task StartAsync(IHost host, CancellationToken cancellationToken)
    {
        host.Services.GetRequiredService<DataStore>();
        await host.StartAsync(cancellationToken);
    }
}

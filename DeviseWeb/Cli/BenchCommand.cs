using DeviseWeb.Engine;

namespace DeviseWeb.Cli;

/// <summary>Placeholder replaced by the benchmark verb.</summary>
public static class BenchCommand
{
    public static Task<int> RunAsync(CliArguments cli, EngineOptions options, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        errors.WriteLine("bench: not built yet");
        return Task.FromResult(1);
    }
}

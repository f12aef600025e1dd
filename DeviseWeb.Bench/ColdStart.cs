using System.Diagnostics;

namespace DeviseWeb.Bench;

/// <summary>
/// Cold start to searchable, as a user meets it: a fresh process running <c>search WORD --data STORE --json</c>, timed from
/// process start to exit (the first search answered).
/// </summary>
public static class ColdStart
{
    public sealed record Run(double Seconds, int ExitCode, string Errors);

    public static async Task<Run> SearchOnceAsync(string store, string word, CancellationToken cancellationToken)
    {
        // The product's own CLI from the build beside this one (DeviseWeb.dll, copied here as a project reference), through
        // the same dotnet host: not this bench assembly, which has no search verb.
        string host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(DeviseWeb.Cli.CliHost).Assembly.Location);
        foreach (var arg in new[] { "search", word, "--data", store, "--json" }) start.ArgumentList.Add(arg);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + start.FileName);
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        double seconds = clock.Elapsed.TotalSeconds;
        await output;
        return new Run(seconds, process.ExitCode, (await errors).Trim());
    }
}

using System.Diagnostics;
using DeviseWeb.Engine;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Hardening;

/// <summary>What one run of the real executable did: its exit code, what it printed, and how long it ran.</summary>
public sealed record ProcessRun(int ExitCode, string Output, string Errors, TimeSpan Elapsed)
{
    /// <summary>Exit code of a process ended by SIGKILL (128 + 9).</summary>
    public const int KilledExitCode = 137;

    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n--- stdout\n{Output}\n--- stderr\n{Errors}";

    /// <summary>It died by SIGKILL at the named fault point's given hit, not of anything else.</summary>
    public void AssertKilledAt(string point, int hit)
    {
        Assert.True(ExitCode == KilledExitCode, ToString());
        Assert.Contains($"fault point {point}:{hit} reached", Errors);
    }
}

/// <summary>
/// Runs the DeviseWeb executable as a separate process (<c>dotnet DeviseWeb.dll verb ...</c>), as a user would, so
/// a fault point can kill it for real: no finally block, no disposal, no flush survives, unlike a crash in process.
/// </summary>
public static class CliProcess
{
    /// <summary>A guard against a run that hangs (a FIFO read, a fault point that never fires), far above any run's time.</summary>
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(120);

    private static readonly Lazy<string> Executable = new(TestData.AppDll);

    public static Task<ProcessRun> RunAsync(params string[] args) => RunAsync(new Dictionary<string, string>(), args);

    /// <summary>Runs with <see cref="FaultPoints"/> armed to kill the process at the <paramref name="hit"/>th pass of <paramref name="point"/>.</summary>
    public static Task<ProcessRun> RunWithFaultAsync(string point, int hit, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { [FaultPoints.EnvironmentVariable] = $"{point}:{hit}" };
        return RunAsync(variables, args);
    }

    public static async Task<ProcessRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        // The muxer that runs these tests (set by the dotnet CLI for its children), else the one on the PATH.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(Executable.Value)!,
        };
        start.ArgumentList.Add(Executable.Value);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment.Remove(FaultPoints.EnvironmentVariable);
        foreach (var (name, value) in environment) start.Environment[name] = value;

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(Guard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"DeviseWeb {string.Join(' ', args)} still ran after {Guard.TotalSeconds} s.");
        }
        return new ProcessRun(process.ExitCode, await output, await errors, clock.Elapsed);
    }
}

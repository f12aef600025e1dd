using System.Text.Json;
using DeviseWeb.Cli;

namespace DeviseWeb.Tests.Cli;

/// <summary>What one CLI run printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Output, string Errors)
{
    public JsonElement Json() => JsonDocument.Parse(Output).RootElement;

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Errors}";
}

/// <summary>Runs CLI verbs in process, as the executable would, capturing stdout and stderr.</summary>
public static class CliRunner
{
    public static async Task<CliRun> RunAsync(params string[] args) => await RunAsync(args, new StringWriter(), CancellationToken.None);

    /// <summary>Runs a verb with <paramref name="input"/> as its standard input (a password, say).</summary>
    public static Task<CliRun> RunWithInputAsync(string input, params string[] args) =>
        RunAsync(args, new StringWriter(), CancellationToken.None, new StringReader(input));

    public static async Task<CliRun> RunAsync(string[] args, StringWriter errors, CancellationToken cancellationToken, TextReader? input = null,
        Action<DeviseWeb.Engine.EngineOptions>? configure = null)
    {
        var output = new StringWriter();
        int code = await CliCommands.RunAsync(args, output, errors, cancellationToken, input, configure);
        return new CliRun(code, output.ToString(), errors.ToString());
    }

    /// <summary>Gallery ids of the images a search for a label's own name finds carrying that label.</summary>
    public static async Task<IReadOnlyList<int>> IdsOfLabelAsync(string data, string label)
    {
        var run = await RunAsync("search", label, "--k", "1000", "--json", "--data", data);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Json().EnumerateArray().Where(h => h.GetProperty("label").GetString() == label)
            .Select(h => h.GetProperty("id").GetInt32()).Order().ToList();
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace DeviseWeb.Cli;

/// <summary>What a verb runs with: the engine's services, its arguments, where to read and write, and Ctrl+C.</summary>
public sealed record CommandContext(
    IServiceProvider Services,
    CliArguments Cli,
    TextWriter Output,
    TextWriter Errors,
    bool Json,
    bool Interactive,
    CancellationToken CancellationToken,
    TextReader? Input = null)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Converters = { new JsonStringEnumConverter() },
    };

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    public void WriteJson<T>(T value) => Output.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
}

using System.Text.Json;
using System.Text.Json.Serialization;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.Configuration;

namespace DeviseWeb.Cli;

/// <summary>The headless verbs of the DeviseWeb executable: a verb as first argument runs it and exits.</summary>
public static partial class CliCommands
{
    public static readonly IReadOnlySet<string> Verbs = new HashSet<string>(StringComparer.Ordinal)
        { "import", "train", "search", "similar", "keywords", "eval", "status", "models", "activate", "bench", "help", "--help" };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true, Converters = { new JsonStringEnumConverter() },
    };

    public static bool IsVerb(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    /// <summary>Runs a verb. Exit codes: 0 done, 1 the request failed (unknown id, missing file), 2 bad usage.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? errors = null, CancellationToken cancellationToken = default)
    {
        output ??= Console.Out;
        errors ??= Console.Error;
        try
        {
            var cli = new CliArguments(args);
            if (cli.Verb is "help" or "--help") { output.Write(Usage); return 0; }
            var options = LoadOptions(cli);
            bool json = cli.Has("--json");
            if (cli.Verb == "bench") return await BenchCommand.RunAsync(cli, options, output, errors, cancellationToken);
            using var engine = new DeviseEngine(options);
            var context = new CommandContext(engine, cli, output, errors, json, cancellationToken);
            int code = cli.Verb switch
            {
                "import" => await ImportAsync(context),
                "train" => await TrainAsync(context),
                "search" => Search(context),
                "similar" => await SimilarAsync(context),
                "keywords" => await KeywordsAsync(context),
                "eval" => Eval(context),
                "status" => Status(context),
                "models" => Models(context),
                "activate" => await ActivateAsync(context),
                _ => throw new CliUsageException($"Unknown verb '{cli.Verb}'."),
            };
            if (cli.Unused.FirstOrDefault() is { } unused) throw new CliUsageException($"Unknown option {unused} for '{cli.Verb}'.");
            return code;
        }
        catch (CliUsageException e)
        {
            errors.WriteLine($"error: {e.Message}");
            errors.WriteLine("Run 'DeviseWeb help' for the verbs and their options.");
            return 2;
        }
        catch (Exception e) when (e is DeviseException or ImageRejectedException or ArgumentException or InvalidOperationException or TrainingBusyException)
        {
            errors.WriteLine($"error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            errors.WriteLine("cancelled");
            return 130;
        }
    }

    /// <summary>Options from appsettings.json, then environment (Devise__DataDirectory), then --data.</summary>
    public static EngineOptions LoadOptions(CliArguments cli)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = new EngineOptions();
        configuration.GetSection(EngineOptions.SectionName).Bind(options);
        if (cli.Get("--data") is { } data) options.DataDirectory = data;
        return options;
    }

    private sealed record CommandContext(DeviseEngine Engine, CliArguments Cli, TextWriter Output, TextWriter Errors, bool Json, CancellationToken CancellationToken);

    private static void WriteJson<T>(CommandContext c, T value) => c.Output.WriteLine(JsonSerializer.Serialize(value, Json));

    public const string Usage = """
        DeviseWeb — visual-semantic image search (DeViSE). With no verb, runs the web app.

        Usage: DeviseWeb <verb> [arguments] [--data DIR] [--json]

          import DIR [--label L]     Import a folder-per-label dataset (DIR/<label>/*.jpg|png|webp|gif|bmp),
                                     or one image file with --label. DIR/labels.tsv may rename folders.
          train [options]            Train a DeViSE head on the imported images and activate it.
              --epochs N (30) --lr X (0.002) --batch N (64) --hidden N (1024) --dropout X (0.2)
              --holdout N (10)       labels held out entirely for zero-shot evaluation
              --holdout-labels a,b   hold out these labels too
              --seed N (42) --no-activate
          search "text" [--k N] [--min-score X] [--model N]
                                     Images for words, including words that were never a label.
          similar FILE_OR_ID [--k N] Images most like a gallery image (id) or any image file.
          keywords FILE_OR_ID [--k N]  Nearest words (WordNet nouns and labels) to an image.
          eval [--model N]           Metrics of a model version with chance level beside them.
          status                     What the data directory holds.
          models                     Model versions and their metrics.
          activate N                 Make model version N the one searches use.
          bench [--quick]            Speed figures: features, import, training, search at 100k/1M.

        --data DIR (or Devise__DataDirectory, or appsettings Devise:DataDirectory): default ./devise-data.
        --json prints machine-readable results.

        """;
}

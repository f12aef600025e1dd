using DeviseWeb.Cli.Remote;
using DeviseWeb.Cli.Verbs;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Imaging;

namespace DeviseWeb.Cli;

/// <summary>The headless verbs of the DeviseWeb executable: a verb as first argument runs it and exits.</summary>
public static class CliCommands
{
    /// <summary>Exit codes: done, the request failed (unknown id, missing file, data directory in use), bad usage, cancelled (Ctrl+C).</summary>
    public const int Done = 0, Failed = 1, Usage = 2, Cancelled = 130;

    private static readonly string[] CommonOptions = ["--data", "--json", "--verbose", "--server", "--key-file"];

    private sealed record Verb(Func<CommandContext, Task<int>> RunAsync, params string[] Options);

    private static readonly Dictionary<string, Verb> Table = new(StringComparer.Ordinal)
    {
        ["import"] = new(GalleryVerbs.ImportAsync, "--label", "--evaluation"),
        ["delete"] = new(c => Task.FromResult(GalleryVerbs.Delete(c))),
        ["relabel"] = new(c => Task.FromResult(GalleryVerbs.Relabel(c)), "--label"),
        ["rename-label"] = new(c => Task.FromResult(GalleryVerbs.RenameLabel(c))),
        ["status"] = new(c => Task.FromResult(GalleryVerbs.Status(c))),
        ["train"] = new(ModelVerbs.TrainAsync, ModelVerbs.TrainingOptionNames),
        ["eval"] = new(ModelVerbs.EvalAsync, "--model"),
        ["models"] = new(c => Task.FromResult(ModelVerbs.Models(c))),
        ["activate"] = new(ModelVerbs.ActivateAsync),
        ["search"] = new(SearchVerbs.SearchAsync, "--k", "--min-score", "--model"),
        ["similar"] = new(SearchVerbs.SimilarAsync, "--k", "--model"),
        ["keywords"] = new(SearchVerbs.KeywordsAsync, "--k", "--model"),
        ["jobs"] = new(c => Task.FromResult(JobVerbs.Jobs(c)), "--take"),
        ["compact"] = new(JobVerbs.CompactAsync),
        ["verify"] = new(c => Task.FromResult(StoreVerbs.Verify(c)), "--repair"),
        ["backup"] = new(c => Task.FromResult(StoreVerbs.Backup(c))),
        ["users"] = new(c => Task.FromResult(UserVerbs.Users(c)), "--role"),
    };

    public static readonly IReadOnlySet<string> Verbs = Table.Keys.Concat(["help", "--help"]).ToHashSet(StringComparer.Ordinal);

    public static bool IsVerb(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    /// <summary>
    /// Runs a verb against a generic host with the engine composed in it (its job worker running), and maps every
    /// error once: the engine's typed errors and rejected images to <c>error: message</c> and exit 1, bad usage to
    /// exit 2, Ctrl+C (or <paramref name="cancellationToken"/>) to 130 after the running job has stopped.
    /// </summary>
    /// <param name="configure">Engine settings on top of the configuration's (tests: the template's vocabulary size).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? errors = null, CancellationToken cancellationToken = default,
        TextReader? input = null, Action<EngineOptions>? configure = null)
    {
        output ??= Console.Out;
        errors ??= Console.Error;
        try
        {
            var cli = new CliArguments(args);
            if (cli.Verb is "help" or "--help" || cli.Has("--help")) { output.Write(UsageText); return Done; }
            if (!Table.TryGetValue(cli.Verb, out var verb)) throw new CliUsageException($"Unknown verb '{cli.Verb}'.");
            cli.RejectUnknown(CommonOptions.Concat(verb.Options));
            using (var server = ServerClient.From(cli))
                if (server is not null) return await RunRemoteAsync(cli, server, output, errors, input, cancellationToken);

            using var host = CliHost.Build(cli, configure);
            await CliHost.StartAsync(host, cancellationToken);
            try
            {
                // Ctrl+C stops the host's lifetime (ConsoleLifetime); the verb sees it as cancellation.
                using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken,
                    host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
                var context = new CommandContext(host.Services, cli, output, errors, cli.Has("--json"),
                    ConsoleProgress.IsInteractive(errors), cancel.Token, input);
                return await verb.RunAsync(context);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
        catch (CliUsageException e)
        {
            errors.WriteLine($"error: {e.Message}");
            errors.WriteLine("Run 'DeviseWeb help' for the verbs and their options.");
            return Usage;
        }
        catch (DataDirectoryInUseException e)
        {
            errors.WriteLine($"error: {e.Message}");
            errors.WriteLine($"To use the running app instead, pass --server URL (e.g. --server http://localhost:5080) with an API key in {ServerClient.KeyVariable} or --key-file PATH.");
            return Failed;
        }
        catch (Exception e) when (e is DeviseException or ImageRejectedException)
        {
            errors.WriteLine($"error: {e.Message}");
            return Failed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file the verb was given or had to write (a folder under a file, a full or read-only disk): its message names it.
            errors.WriteLine($"error: {e.Message}");
            return Failed;
        }
        catch (Exception e) when (SettingChecks.Problems(e) is { } problems)
        {
            errors.WriteLine($"error: {problems}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            errors.WriteLine("cancelled");
            return Cancelled;
        }
    }

    /// <summary>A verb through the running app's API; Ctrl+C cancels the request (and a job it started, on the server).</summary>
    private static async Task<int> RunRemoteAsync(CliArguments cli, ServerClient server, TextWriter output, TextWriter errors, TextReader? input,
        CancellationToken cancellationToken)
    {
        if (!RemoteVerbs.Names.Contains(cli.Verb))
            throw new CliUsageException($"'{cli.Verb}' works on the store itself and has no --server form: run it on the server, without --server.");
        if (cli.Has("--data")) throw new CliUsageException("--data names a store on this machine; with --server the server's store is used.");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCtrlC = (_, e) =>
        {
            e.Cancel = true; // this process ends once the job on the server has stopped
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCtrlC;
        try
        {
            var context = new CommandContext(NoServices.Instance, cli, output, errors, cli.Has("--json"), ConsoleProgress.IsInteractive(errors), cancel.Token, input);
            return await RemoteVerbs.RunAsync(context, server);
        }
        finally
        {
            Console.CancelKeyPress -= onCtrlC;
        }
    }

    /// <summary>A remote verb's context has no engine: it talks to the server.</summary>
    private sealed class NoServices : IServiceProvider
    {
        public static readonly NoServices Instance = new();

        public object? GetService(Type serviceType) => null;
    }

    public const string UsageText = """
        DeviseWeb — visual-semantic image search (DeViSE). With no verb, runs the web app.

        Usage: DeviseWeb <verb> [arguments] [--data DIR] [--json] [--verbose]

        Gallery
          import DIR [--evaluation]  Import a folder-per-label dataset (DIR/<label>/*.jpg|png|webp|gif|bmp);
                                     DIR/labels.tsv may rename folders; DIR/evaluation.txt (<label folder>/<file>
                                     a line) marks evaluation-only images: searchable, never trained on.
          import FILE [--label L] [--evaluation]
                                     Import one image (label: L, else its folder's name).
                                     --evaluation marks every image imported evaluation-only.
          delete ID...               Delete images: records, thumbnails, vectors, originals.
          relabel ID... --label L    Give images another label.
          rename-label OLD NEW       Move every image of a label to another (merging when NEW exists).
          status                     What the data directory holds.

        Models
          train [options]            Train a DeViSE head on the imported images and activate it; evaluation-only
                                     images are embedded and measured, never trained on.
              --epochs N (30) --lr X (0.002) --batch N (64) --hidden N (1024) --dropout X (0.2)
              --holdout N (10)       labels held out entirely for zero-shot evaluation
              --holdout-labels a,b   hold out these labels too
              --seed N (42) --no-activate
              --mapping Devise|ConSE (Devise)
                                     regress label vectors, or ConSE's convex combination of the top 10 labels
              --transfer X (0.5)     label transfer: blend with the 10 nearest training images (0 turns it off)
              --hypernyms X (0.3)    broader-word targets: mix in the label's WordNet hypernyms (0 turns it off)
              --coral / --no-coral   align training features to the gallery's statistics (CORAL; on by default)
          eval [--model N]           Measure a model version (default: the active one) as a job: zero-shot,
                                     precision@9, and text search over the evaluation-only images, each beside
                                     chance; the figures are kept with the version.
          models                     Model versions and their metrics.
          activate N                 Make model version N the one searches use.

        Search
          search "text" [--k N] [--min-score X] [--model N]
                                     Images for words, including words that were never a label.
          similar FILE_OR_ID [--k N] [--model N]
                                     Images most like a gallery image (id; itself left out) or any image file.
          keywords FILE_OR_ID [--k N] [--model N]
                                     Nearest words (WordNet nouns and labels) to an image.

        Users (for the web app; the first Admin can also be made in the browser on first start)
          users add NAME --role admin|editor|viewer
                                     Add a user; the password is read from standard input.
          users list                 Users, their roles and how many API keys each has.
          users remove NAME          Remove a user and their API keys.
          users key NAME             Make a new API key for NAME and print it (shown once).

        Jobs and upkeep
          jobs [--take N (20)]       Recent jobs (import, training, activation, ...) with state and duration.
          compact                    Drop deleted images' rows from the vector files.
          verify [--repair]          Check the whole store: originals (hashed), thumbnails, features, embeddings,
                                     stray files, label counts. Exit 0 when clean, 1 when problems remain.
                                     --repair fixes what it can and drops images whose original is lost.
          backup DIR                 A consistent snapshot of the store and its accounts into a new folder DIR
                                     (originals and vector files hard-linked). The running app does it through
                                     POST /api/admin/backup. Restore: stop the app, put DIR in place, start, verify.

        Through the running app (no need to stop it)
          --server URL (or DEVISE_SERVER) sends search, similar, keywords, import, delete, relabel, rename-label,
          status, train, eval, models, activate, jobs, users (an Admin's key) and backup (a folder on the server) to the
          app's API instead of opening the store. The API key: DEVISE_API_KEY, or --key-file PATH (make one on the Users page, or with
          'users key NAME'). Output and exit codes are the same; --json gives an original's address on the server
          where the store's verb gives its path.

        --data DIR (or Devise__DataDirectory, or appsettings Devise:DataDirectory): default ./devise-data.
        --json prints machine-readable results; --verbose shows the engine's log.
        Long verbs (import, train, eval, activate, the vocabulary for keywords, compact) run as jobs with a progress bar;
        Ctrl+C cancels the job. Exit codes: 0 done, 1 the request failed, 2 bad usage, 130 cancelled.

        """;
}

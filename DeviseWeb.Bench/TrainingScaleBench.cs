using System.Diagnostics;
using DeviseWeb.Cli;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Training;

namespace DeviseWeb.Bench;

/// <summary>
/// A whole default training run on a copy of a seeded store (<see cref="ScaleStore"/>), as a user starts it: the
/// Training job with every default (the epochs as given; past 100,000 images 3 unless given, with what the default's
/// 30 would take), saved without activating, then the Activation job that makes
/// it the one searches use. Each job's passes are timed from the job's own events, as the Training page and the CLI
/// see them. Then, with that version active (label transfer over its training images), an import and reference-photo
/// searches, whose cost should not grow with the labelled set. The copy is deleted afterwards; the seeded store is
/// never written to.
/// </summary>
public static class TrainingScaleBench
{
    private const int ReferenceSearches = 50, K = 10;

    /// <summary>The small store every larger run is compared with (import and reference-photo cost).</summary>
    public const int ReferenceSize = 2_000;

    /// <summary>Epochs past 100,000 images unless told: the default's 30 would take about an hour at 1M on 2 cores.</summary>
    private const int LargeStoreEpochs = 3;

    public static async Task RunAsync(CliArguments cli, int count, int? epochs, BenchDataset? dataset, BenchReport report, CancellationToken cancellationToken)
    {
        string seeded = await ScaleStore.EnsureAsync(cli, count, report, cancellationToken);
        string copy = Path.Combine(Path.GetTempPath(), $"devise-bench-train-{count}-{Environment.ProcessId}");
        var clock = Stopwatch.StartNew();
        CopyStore(seeded, copy);
        report.Note($"copied the {count:N0} store for training in {clock.Elapsed.TotalSeconds:0.0} s");
        try
        {
            var model = await TrainAsync(cli, copy, count, epochs, report, cancellationToken);
            // A fresh host, as after a restart: the version is read from the store, not found in memory.
            using var host = CliHost.Build(cli, o => o.DataDirectory = copy);
            await CliHost.StartAsync(host, cancellationToken);
            var services = host.Services;
            var activation = await TimedJobAsync(Context(services, report, cancellationToken),
                new JobRequest { Kind = JobKind.Activation, ModelId = model.Id }, "bench activation");
            report.Figures("activate-scale", new { n = count, model_id = model.Id, total_s = activation.Seconds, passes_s = activation.Passes });
            if (dataset is not null)
            {
                var import = await BaseBench.ImportIntoAsync(services, dataset, report, cancellationToken);
                report.Figures("import-labelled", new { n = count, labelled = model.TrainCount, images = import.Added, img_per_s = import.ImagesPerSecond });
                await ReferenceSearchesAsync(services, dataset, count, model.TrainCount, report, cancellationToken);
            }
            await host.StopAsync(CancellationToken.None);
        }
        finally
        {
            if (Directory.Exists(copy)) Directory.Delete(copy, recursive: true);
        }
    }

    /// <summary>The Training job with every default but activation (and the epochs when given), its passes timed.</summary>
    private static async Task<ModelVersionInfo> TrainAsync(CliArguments cli, string store, int count, int? epochs, BenchReport report,
        CancellationToken cancellationToken)
    {
        using var host = CliHost.Build(cli, o => o.DataDirectory = store);
        await CliHost.StartAsync(host, cancellationToken);
        var options = new TrainingOptions { Activate = false };
        if ((epochs ?? (count > 100_000 ? LargeStoreEpochs : null)) is { } e) options = options with { Epochs = e };
        var training = await TimedJobAsync(Context(host.Services, report, cancellationToken),
            new JobRequest { Kind = JobKind.Training, Training = options }, "bench training");
        var model = training.Job.Result!.Model!;
        string epochsPass = TrainingPlan.NameOf(TrainingPass.Epochs);
        double epochsSeconds = training.Passes.GetValueOrDefault(epochsPass);
        report.Figures("train-scale", new
        {
            n = count, train_rows = model.TrainCount, labels = model.Evaluation?.LabelCount, epochs = options.Epochs, total_s = training.Seconds,
            epochs_s = epochsSeconds, per_epoch_s = epochsSeconds / options.Epochs,
            after_epochs_s = training.Passes.SkipWhile(p => p.Key != epochsPass).Skip(1).Sum(p => p.Value),
            // What the run would take with the default's epochs, the others as measured.
            default_epochs_run_s = training.Seconds + (new TrainingOptions().Epochs - options.Epochs) * epochsSeconds / options.Epochs,
            passes_s = training.Passes,
        });
        await host.StopAsync(CancellationToken.None);
        return model;
    }

    private static CommandContext Context(IServiceProvider services, BenchReport report, CancellationToken cancellationToken) =>
        new(services, new CliArguments(["bench"]), report.Errors, report.Errors, Json: false, Interactive: false, cancellationToken);

    /// <summary>A job run as the CLI runs it, with each pass's own time as its last event gives it (a pass's end is never thinned away).</summary>
    private static async Task<(JobInfo Job, double Seconds, Dictionary<string, double> Passes)> TimedJobAsync(CommandContext context, JobRequest request, string title)
    {
        var passes = new Dictionary<string, double>(); // in the order they ran
        var clock = Stopwatch.StartNew();
        using (context.Get<JobQueue>().Subscribe(e =>
        {
            if (e.Progress?.Phase is not { Elapsed: { } elapsed } phase) return;
            lock (passes) passes[phase.Name] = Math.Max(passes.GetValueOrDefault(phase.Name), elapsed.TotalSeconds);
        }))
        {
            var job = await CliJobs.RunAsync(context, request, title);
            double seconds = clock.Elapsed.TotalSeconds;
            lock (passes) return (job, seconds, new Dictionary<string, double>(passes));
        }
    }

    /// <summary>
    /// Searches by each of a few reference photos as a user does (the upload decoded and run through the backbone, then
    /// embedded by the version and searched), then the same photos again with their backbone features cached, which
    /// leaves the part that could grow with the labelled set: the version's embedding (head and label transfer's
    /// neighbour search) and the index scan.
    /// </summary>
    private static async Task ReferenceSearchesAsync(IServiceProvider services, BenchDataset dataset, int count, int labelled, BenchReport report,
        CancellationToken cancellationToken)
    {
        var references = services.GetRequiredService<ReferencePhotos>();
        var search = services.GetRequiredService<SearchService>();
        async Task<string> StoreAsync(string file)
        {
            await using var stream = File.OpenRead(file);
            return await references.StoreAsync(stream, file, cancellationToken);
        }
        var files = dataset.Files.Take(ReferenceSearches + 1).ToList();
        await search.SearchAsync(new SearchQuery { ReferenceHashes = [await StoreAsync(files[0])], K = K }, cancellationToken); // warm-up
        var hashes = new List<string>();
        var endToEnd = new List<double>();
        foreach (var file in files.Skip(1))
        {
            long start = Stopwatch.GetTimestamp();
            hashes.Add(await StoreAsync(file));
            await search.SearchAsync(new SearchQuery { ReferenceHashes = [hashes[^1]], K = K }, cancellationToken);
            endToEnd.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        var cached = new List<double>(hashes.Count);
        foreach (var hash in hashes)
        {
            long start = Stopwatch.GetTimestamp();
            await search.SearchAsync(new SearchQuery { ReferenceHashes = [hash], K = K }, cancellationToken);
            cached.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        report.Figures("reference-search", new
        {
            n = count, labelled, queries = hashes.Count, k = K,
            ms_p50 = BenchMath.Percentile(endToEnd, 50), ms_p95 = BenchMath.Percentile(endToEnd, 95),
            cached_features_ms_p50 = BenchMath.Percentile(cached, 50), cached_features_ms_p95 = BenchMath.Percentile(cached, 95),
        });
    }

    /// <summary>The seeded store copied whole (its lock file aside), so training writes to the copy only.</summary>
    private static void CopyStore(string from, string to)
    {
        if (Directory.Exists(to)) Directory.Delete(to, recursive: true);
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            if (Path.GetFileName(file) != "devise.lock") File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}

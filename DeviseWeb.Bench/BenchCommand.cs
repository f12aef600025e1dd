using System.Globalization;
using DeviseWeb.Cli;
using DeviseWeb.Engine;
using static TorchSharp.torch;

namespace DeviseWeb.Bench;

/// <summary>
/// DeviseWeb.Bench: speed figures for this machine, as readable lines or (<c>--json</c>) JSON lines. Parts: backbone features,
/// import end to end, head training (<see cref="BaseBench"/>), the scale mode on seeded stores of 100k and 1M images
/// (<see cref="ScaleBench"/>) and whole default training runs on copies of them (<see cref="TrainingScaleBench"/>); on demand,
/// the in-process index beside pgvector (<see cref="PgvectorBench"/>). Shapes match ../shared/peer so scripts/bench.sh can run both and compare them.
/// </summary>
public static class BenchCommand
{
    private static readonly string[] Parts = ["features", "import", "train", "scale", "train-scale"];

    /// <summary>Quality sweeps, run only when named in --only.</summary>
    private static readonly string[] Sweeps = ["blend", "expand", "regions", "finetune", "int8"];

    /// <summary>Parts that need more than this machine's .NET (pgvector: Node.js for PGlite), run only when named in --only.</summary>
    private static readonly string[] OnDemand = ["pgvector", "memory"];

    public const string UsageText = """
        Usage: DeviseWeb.Bench [--images DIR (/tmp/peer-scratch/images)] [--limit N (300)]
                               [--scale N,N (100000,1000000; pgvector: 100000)] [--quick (100000 only, no train-scale)]
                               [--only features,import,train,scale,train-scale,pgvector | --only blend,expand,regions,finetune --data DIR]
                               [--train-epochs N (the default, 30; 3 past 100,000)]
                               [--only int8 --images DIR [--limit N (600)] [--ranges FILE | --calibrate FILE]
                                [--rounds N (3)] [--speed-images N (96)]]
                               [--data DIR] [--json] [--verbose]
        """;

    public static async Task<int> RunAsync(CliArguments cli, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        cli.RejectUnknown(["--data", "--json", "--verbose", "--images", "--limit", "--quick", "--scale", "--only", "--train-epochs",
            "--calibrate", "--ranges", "--rounds", "--speed-images"]);
        string images = cli.Get("--images") ?? "/tmp/peer-scratch/images";
        int limit = cli.GetInt("--limit", 300);
        bool quick = cli.Has("--quick");
        var sizes = Sizes(cli.Get("--scale") ?? (quick ? "100000" : "100000,1000000"));
        int? trainEpochs = cli.Get("--train-epochs") is null ? null : cli.GetInt("--train-epochs", 0);
        if (trainEpochs is < 1) throw new CliUsageException("--train-epochs takes a whole number of at least 1.");
        var parts = (cli.Get("--only") ?? string.Join(',', quick ? Parts.SkipLast(1) : Parts)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        if (parts.FirstOrDefault(p => !Parts.Contains(p) && !Sweeps.Contains(p) && !OnDemand.Contains(p)) is { } unknown)
            throw new CliUsageException($"--only takes {string.Join(", ", Parts.Concat(OnDemand).Concat(Sweeps))}; got '{unknown}'.");
        var report = new BenchReport(output, errors, cli.Has("--json"));

        if (parts.Overlaps(Sweeps))
        {
            if (parts.Contains("int8"))
            {
                if (parts.Count > 1) throw new CliUsageException("--only int8 runs alone.");
                Int8Bench.Run(cli, report, cancellationToken);
                return 0;
            }
            if (!parts.IsSubsetOf(Sweeps)) throw new CliUsageException($"--only {string.Join(", ", Sweeps)} runs alone: quality sweeps on the store given with --data.");
            if (parts.Contains("blend")) await PhotoBlendBench.RunAsync(cli, report, cancellationToken);
            if (parts.Contains("expand")) await QueryExpansionBench.RunAsync(cli, report, cancellationToken);
            if (parts.Contains("regions")) await RegionBench.RunAsync(cli, report, cancellationToken);
            if (parts.Contains("finetune")) await FineTuneBench.RunAsync(cli, trainEpochs ?? 5, report, cancellationToken);
            return 0;
        }
        var files = BenchDataset.List(images, limit);
        if (files.Count == 0 && (parts.Contains("features") || parts.Contains("import")))
            throw new CliUsageException($"No images under {images}: pass --images DIR (e.g. data/demo or the peer's image folder).");
        if (files.Count == 0 && (parts.Contains("scale") || parts.Contains("train-scale"))) report.Note($"no images under {images}: the import into the seeded stores is skipped");

        // Ctrl+C stops the bench between steps (a seeding stopped half way is seeded again next time).
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var token = cancel.Token;
            report.Note($"{files.Count} images from {images}, {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, device {DeviceChooser.Device.type}");
            using var dataset = files.Count > 0 ? new BenchDataset(files) : null;
            if (parts.Contains("features"))
            {
                using var probe = CliHost.Build(cli); // options only: nothing opens a store
                report.Figures("features", BaseBench.Features(probe.Services.GetRequiredService<EngineOptions>(), files));
            }
            if (parts.Contains("import")) report.Figures("import", await BaseBench.ImportAsync(cli, dataset!, report, token));
            if (parts.Contains("train")) report.Figures("train", BaseBench.Training(quick ? 5_000 : 20_000, 5));
            if (parts.Contains("scale"))
                foreach (int n in sizes)
                {
                    token.ThrowIfCancellationRequested();
                    await ScaleBench.RunAsync(cli, n, dataset, report, token);
                }
            if (parts.Contains("train-scale"))
                // A 2,000-image run first: what an import and a reference photo cost with few labelled images, the reference
                // the larger runs are compared with.
                foreach (int n in sizes.Prepend(TrainingScaleBench.ReferenceSize).Distinct().Order())
                {
                    token.ThrowIfCancellationRequested();
                    await TrainingScaleBench.RunAsync(cli, n, trainEpochs, dataset, report, token);
                }
            if (parts.Contains("pgvector"))
                foreach (int n in cli.Get("--scale") is null ? [100_000] : sizes)
                {
                    token.ThrowIfCancellationRequested();
                    await PgvectorBench.RunAsync(n, report, token);
                }
            if (parts.Contains("memory"))
                foreach (int n in sizes)
                {
                    token.ThrowIfCancellationRequested();
                    await ScaleBench.MemoryOnlyAsync(cli, n, report, token);
                }
            report.Figures("process", new { peak_rss_mb = BenchMath.Megabytes(BenchMath.PeakResidentBytes()) });
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static int[] Sizes(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n : throw new CliUsageException($"--scale takes sizes like 100000,1000000; got '{s}'."))
        .ToArray();
}

using DeviseWeb.Engine;
using static TorchSharp.torch;

namespace DeviseWeb.Cli.Bench;

/// <summary>
/// <c>bench</c>: speed figures for this machine, as readable lines or (<c>--json</c>) JSON lines. Parts: backbone features,
/// import end to end, head training (<see cref="BaseBench"/>). Shapes match ../shared/peer so scripts/bench.sh can run both and compare them.
/// </summary>
public static class BenchCommand
{
    private static readonly string[] Parts = ["features", "import", "train"];

    public static async Task<int> RunAsync(CliArguments cli, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        cli.RejectUnknown(["--json", "--verbose", "--images", "--limit", "--quick", "--only"]);
        string images = cli.Get("--images") ?? "/tmp/peer-scratch/images";
        int limit = cli.GetInt("--limit", 300);
        bool quick = cli.Has("--quick");
        var parts = (cli.Get("--only") ?? string.Join(',', Parts)).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        if (parts.FirstOrDefault(p => !Parts.Contains(p)) is { } unknown)
            throw new CliUsageException($"--only takes {string.Join(", ", Parts)}; got '{unknown}'.");
        var report = new BenchReport(output, errors, cli.Has("--json"));

        var files = BenchDataset.List(images, limit);
        if (files.Count == 0)
            throw new CliUsageException($"No images under {images}: pass --images DIR (e.g. data/demo or the peer's image folder).");

        // Ctrl+C stops the bench between steps.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var token = cancel.Token;
            report.Note($"{files.Count} images from {images}, {Environment.ProcessorCount} cores, torch threads {get_num_threads()}, device {DeviceChooser.Device.type}");
            using var dataset = new BenchDataset(files);
            if (parts.Contains("features"))
            {
                using var probe = CliHost.Build(cli); // options only: nothing opens a store
                report.Figures("features", BaseBench.Features(probe.Services.GetRequiredService<EngineOptions>(), files));
            }
            if (parts.Contains("import")) report.Figures("import", await BaseBench.ImportAsync(cli, dataset, report, token));
            if (parts.Contains("train")) report.Figures("train", BaseBench.Training(quick ? 5_000 : 20_000, 5));
            report.Figures("process", new { peak_rss_mb = BenchMath.Megabytes(BenchMath.PeakResidentBytes()) });
            return 0;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}

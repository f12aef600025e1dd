using System.Diagnostics;
using System.Text.Json;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Training;
using static TorchSharp.torch;

namespace DeviseWeb.Cli;

/// <summary>
/// Speed figures for this machine, printed (and as JSON lines with --json): backbone features, import end to
/// end, head training, exact top-10 search at 100k and 1M vectors. Shapes match ../shared/peer so the two can
/// be run side by side (scripts/bench.sh does that).
/// </summary>
public static class BenchCommand
{
    public static async Task<int> RunAsync(CliArguments cli, EngineOptions options, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        string images = cli.Get("--images") ?? "/tmp/peer-scratch/images";
        int limit = cli.GetInt("--limit", 300);
        bool quick = cli.Has("--quick");
        bool json = cli.Has("--json");
        var sizes = (cli.Get("--knn") ?? (quick ? "100000" : "100000,1000000")).Split(',').Select(int.Parse).ToArray();
        var report = new Action<string, object>((name, figures) =>
        {
            if (json) output.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object> { ["bench"] = name, ["figures"] = figures }));
            else output.WriteLine($"{name,-10} {string.Join("  ", figures.GetType().GetProperties().Select(p => $"{p.Name}={Format(p.GetValue(figures))}"))}");
        });
        if (cli.Unused.FirstOrDefault() is { } unused) throw new CliUsageException($"Unknown option {unused} for 'bench'.");

        var files = ListImages(images, limit);
        if (files.Count == 0) throw new CliUsageException($"No images under {images}: pass --images DIR (e.g. data/demo or the peer's image folder).");
        errors.WriteLine($"bench: {files.Count} images from {images}, torch threads {get_num_threads()}, device {DeviceChooser.Device.type}");
        report("features", MeasureFeatures(options, files));
        report("import", await MeasureImportAsync(options, files, cancellationToken));
        report("train", MeasureTraining(quick ? 5_000 : 20_000, 5));
        foreach (var n in sizes) report("knn", MeasureSearch(n, 384, quick ? 100 : 200));
        return 0;
    }

    private static List<string> ListImages(string directory, int limit) =>
        !Directory.Exists(directory) ? [] :
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => SafeImageLoader.Extensions.Contains(Path.GetExtension(f)))
            .Order(StringComparer.Ordinal).Take(limit).ToList();

    private static object MeasureFeatures(EngineOptions options, List<string> files)
    {
        var loader = new SafeImageLoader(options.MaxFileBytes, options.MaxPixels);
        using var extractor = new OnnxFeatureExtractor(options.BackboneModelPath, options.PreprocessModelPath, options.BackboneInputSize, options.InferenceThreads);
        var clock = Stopwatch.StartNew();
        var decoded = files.Select(f => loader.Load(f)).ToList();
        double decodeSeconds = clock.Elapsed.TotalSeconds;
        extractor.Extract(decoded[0]); // warm-up: ONNX Runtime builds its kernels on the first run
        // As the importer runs it: one single-threaded inference per core, side by side.
        clock.Restart();
        Parallel.ForEach(decoded, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, image => extractor.Extract(image));
        double forwardSeconds = clock.Elapsed.TotalSeconds;
        var latencies = decoded.Take(20).Select(image => { var s = Stopwatch.StartNew(); extractor.Extract(image); return s.Elapsed.TotalMilliseconds; }).ToList();
        decoded.ForEach(d => d.Dispose());
        return new
        {
            images = files.Count,
            decode_img_per_s = files.Count / decodeSeconds,
            forward_img_per_s = files.Count / forwardSeconds,
            end_to_end_img_per_s = files.Count / (decodeSeconds + forwardSeconds),
            forward_batch1_ms_p50 = Percentile(latencies, 50),
        };
    }

    private static async Task<object> MeasureImportAsync(EngineOptions options, List<string> files, CancellationToken cancellationToken)
    {
        string root = Path.Combine(Path.GetTempPath(), $"devise-bench-{Environment.ProcessId}");
        try
        {
            string dataset = Path.Combine(root, "dataset", "bench");
            Directory.CreateDirectory(dataset);
            for (int i = 0; i < files.Count; i++) File.Copy(files[i], Path.Combine(dataset, $"{i:00000}{Path.GetExtension(files[i])}"));
            var engineOptions = new EngineOptions
            {
                DataDirectory = Path.Combine(root, "data"), BackboneModelPath = options.BackboneModelPath,
                PreprocessModelPath = options.PreprocessModelPath, InferenceThreads = options.InferenceThreads,
            };
            using var engine = new DeviseEngine(engineOptions);
            var clock = Stopwatch.StartNew();
            var summary = await engine.ImportFolderAsync(Path.GetDirectoryName(dataset)!, cancellationToken: cancellationToken);
            double seconds = clock.Elapsed.TotalSeconds;
            return new { images = summary.Added, duplicates = summary.Duplicates, rejected = summary.Rejected, img_per_s = summary.Total / seconds };
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The peer's shape: 512-d features, 50 classes round-robin, random unit targets, batch 64, Adam-family at 1e-3.</summary>
    private static object MeasureTraining(int rows, int epochs)
    {
        var random = new Random(42);
        float[][] Rows(int count, int width, bool unit) => Enumerable.Range(0, count).Select(_ =>
        {
            var v = Enumerable.Range(0, width).Select(_ => unit ? (float)random.NextDouble() * 2 - 1 : (float)random.NextDouble() * 3).ToArray();
            return unit ? VectorMath.Normalized(v) : v;
        }).ToArray();
        var targets = Rows(50, 384, unit: true);
        var features = Rows(rows, 512, unit: false);
        var set = new TrainingSet(features, Enumerable.Range(0, rows).Select(i => targets[i % 50]).ToArray());
        var options = new TrainingOptions { Epochs = epochs, BatchSize = 64, LearningRate = 1e-3, Seed = 42 };
        var steps = new List<double>();
        var last = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        new HeadTrainer(DeviceChooser.Device).Train(set, new TrainingSet([], []), options, new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Phase == TrainingPhase.Step) { steps.Add(last.Elapsed.TotalMilliseconds); last.Restart(); }
        }), CancellationToken.None);
        double seconds = clock.Elapsed.TotalSeconds;
        return new { rows, epochs, batch = 64, samples_per_s = rows * epochs / seconds, ms_per_step_p50 = Percentile(steps, 50) };
    }

    private static object MeasureSearch(int count, int dimension, int queries)
    {
        var generator = new Generator(42);
        var flat = nn.functional.normalize(randn(count, dimension, generator: generator), p: 2, dim: 1);
        var ids = Enumerable.Range(0, count).ToArray();
        var clock = Stopwatch.StartNew();
        var vectors = TensorRows.ToRows(flat);
        flat.Dispose();
        var index = VectorIndex.Build(ids, vectors, dimension, DeviceChooser.Device);
        double buildSeconds = clock.Elapsed.TotalSeconds;
        vectors = null;
        var random = new Random(7);
        var latencies = new List<double>();
        for (int q = 0; q < queries + 5; q++)
        {
            var query = VectorMath.Normalized(Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
            var s = Stopwatch.StartNew();
            index.Search(query, 10);
            if (q >= 5) latencies.Add(s.Elapsed.TotalMilliseconds); // the first few warm the kernels
        }
        return new { n = count, dim = dimension, queries, build_s = buildSeconds, top10_ms_p50 = Percentile(latencies, 50), top10_ms_p95 = Percentile(latencies, 95) };
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToList();
        double rank = p / 100 * (sorted.Count - 1);
        int low = (int)Math.Floor(rank), high = (int)Math.Ceiling(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    private static string Format(object? value) => value switch
    {
        double d => d.ToString(d >= 100 ? "0" : "0.00", System.Globalization.CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };
}

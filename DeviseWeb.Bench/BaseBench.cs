using System.Diagnostics;
using DeviseWeb.Cli;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Training;
using DeviseWeb.Engine.Training.Methods;

namespace DeviseWeb.Bench;

/// <summary>
/// The figures that do not need a large store: backbone features alone, import end to end (through the job queue, into
/// a fresh store) and head training. Shapes match ../shared/peer's <c>features</c> and <c>train-head</c>.
/// </summary>
public static class BaseBench
{
    public static object Features(EngineOptions options, IReadOnlyList<string> files)
    {
        var loader = new SafeImageLoader(DecodeLimits.From(options));
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
            forward_batch1_ms_p50 = BenchMath.Percentile(latencies, 50),
        };
    }

    /// <summary>An import job into a fresh store, timed from queueing to its end, with the backbone already loaded (as in a running app).</summary>
    public static async Task<object> ImportAsync(CliArguments cli, BenchDataset dataset, BenchReport report, CancellationToken cancellationToken)
    {
        string data = Path.Combine(Path.GetTempPath(), $"devise-bench-import-{Environment.ProcessId}");
        try
        {
            using (var host = CliHost.Build(cli, o => o.DataDirectory = data))
            {
                await CliHost.StartAsync(host, cancellationToken);
                var run = await ImportIntoAsync(host.Services, dataset, report, cancellationToken);
                await host.StopAsync(CancellationToken.None);
                return run.Figures();
            }
        }
        finally
        {
            if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
        }
    }

    /// <summary>Runs the dataset's import job on a started engine and times it.</summary>
    public static async Task<ImportRun> ImportIntoAsync(IServiceProvider services, BenchDataset dataset, BenchReport report, CancellationToken cancellationToken)
    {
        services.GetRequiredService<IFeatureExtractor>(); // loads the ONNX session before the clock starts
        var context = new CommandContext(services, new CliArguments(["bench"]), TextWriter.Null, report.Errors, Json: false, Interactive: false, cancellationToken);
        var clock = Stopwatch.StartNew();
        var job = await CliJobs.RunAsync(context, new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(dataset.Directory) }, "bench import");
        double seconds = clock.Elapsed.TotalSeconds;
        var summary = job.Result!.Import!;
        return new ImportRun(summary.Added, summary.Duplicates, summary.Rejected, summary.Total / seconds);
    }

    /// <summary>The peer's shape: 512-d features, 50 classes round-robin, random unit targets, batch 64, Adam-family at 1e-3.</summary>
    public static object Training(int rows, int epochs)
    {
        var random = new Random(42);
        float[][] Rows(int count, int width, bool unit) => Enumerable.Range(0, count).Select(_ =>
        {
            var v = Enumerable.Range(0, width).Select(_ => unit ? (float)random.NextDouble() * 2 - 1 : (float)random.NextDouble() * 3).ToArray();
            return unit ? VectorMath.Normalized(v) : v;
        }).ToArray();
        var targets = Rows(50, 384, unit: true);
        var features = Rows(rows, 512, unit: false);
        var mapping = new DeviseMapping(384, Enumerable.Range(0, 50).ToDictionary(i => $"class {i}", i => targets[i]));
        var set = new LabelledRows(features, Enumerable.Range(0, rows).Select(i => $"class {i % 50}").ToList());
        var options = new TrainingOptions { Epochs = epochs, BatchSize = 64, LearningRate = 1e-3, Seed = 42 };
        var steps = new List<double>();
        var last = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var (head, _) = new HeadTrainer(DeviceChooser.Device).Train(mapping, set, new LabelledRows([], []), options, new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Phase == TrainingPhase.Step) { steps.Add(last.Elapsed.TotalMilliseconds); last.Restart(); }
        }), CancellationToken.None);
        double seconds = clock.Elapsed.TotalSeconds;
        head.Dispose();
        return new { rows, epochs, batch = 64, samples_per_s = rows * epochs / seconds, ms_per_step_p50 = BenchMath.Percentile(steps, 50) };
    }
}

public sealed record ImportRun(int Added, int Duplicates, int Rejected, double ImagesPerSecond)
{
    public object Figures() => new { images = Added, duplicates = Duplicates, rejected = Rejected, img_per_s = ImagesPerSecond };
}

/// <summary>The bench's images copied into a one-label dataset folder (the import's layout), deleted on dispose.</summary>
public sealed class BenchDataset : IDisposable
{
    private readonly string _root;

    public BenchDataset(IReadOnlyList<string> files)
    {
        Files = files;
        _root = Path.Combine(Path.GetTempPath(), $"devise-bench-dataset-{Environment.ProcessId}");
        Directory = System.IO.Directory.CreateDirectory(Path.Combine(_root, "dataset")).FullName;
        string label = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "bench")).FullName;
        for (int i = 0; i < files.Count; i++) File.Copy(files[i], Path.Combine(label, $"{i:00000}{Path.GetExtension(files[i])}"), overwrite: true);
    }

    /// <summary>The source images, in order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The folder to import.</summary>
    public string Directory { get; }

    public static IReadOnlyList<string> List(string directory, int limit) =>
        !System.IO.Directory.Exists(directory) ? [] :
        System.IO.Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => SafeImageLoader.Extensions.Contains(Path.GetExtension(f)))
            .Order(StringComparer.Ordinal).Take(limit).ToList();

    public void Dispose()
    {
        if (System.IO.Directory.Exists(_root)) System.IO.Directory.Delete(_root, recursive: true);
    }
}

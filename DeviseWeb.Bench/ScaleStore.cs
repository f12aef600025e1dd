using System.Diagnostics;
using System.Text.Json;
using DeviseWeb.Cli;
using DeviseWeb.Engine;

namespace DeviseWeb.Bench;

/// <summary>
/// A store seeded with N synthetic images and an active model version over them, cached per N and seeding layout under
/// the temp folder (<c>/tmp/devise-bench-store-N-vL</c>), so reruns skip seeding. A marker file written last says the
/// seeding finished; a folder without it (an interrupted seeding) is seeded again from scratch.
/// </summary>
public static class ScaleStore
{
    private const string MarkerFile = "bench-seeded.json";
    private const int Seed = 42;

    public static string PathFor(int count) =>
        Path.Combine(Path.GetTempPath(), $"devise-bench-store-{count}-v{ScaleSeeder.LayoutVersion}");

    /// <summary>Drops a cached store's marker, so the next run seeds it again (after a run could not restore it).</summary>
    public static void Forget(string path) => File.Delete(Path.Combine(path, MarkerFile));

    /// <summary>The seeded store's folder, seeding it first when no finished one is cached.</summary>
    public static async Task<string> EnsureAsync(CliArguments cli, int count, BenchReport report, CancellationToken cancellationToken)
    {
        string path = PathFor(count);
        if (File.Exists(Path.Combine(path, MarkerFile)))
        {
            report.Figures("seed", new { n = count, store = path, seeded = false });
            return path;
        }
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        report.Note($"seeding {count:N0} synthetic images into {path} (once; cached for later runs)");

        double imagesSeconds, modelSeconds;
        using (var host = CliHost.Build(cli, o => o.DataDirectory = path))
        {
            await CliHost.StartAsync(host, cancellationToken);
            var seeder = ActivatorUtilities.CreateInstance<ScaleSeeder>(host.Services);
            var clock = Stopwatch.StartNew();
            var lastNote = TimeSpan.Zero;
            seeder.AddImages(count, new Random(Seed), new SynchronousProgress<int>(done =>
            {
                if (clock.Elapsed - lastNote < TimeSpan.FromSeconds(10) && done < count) return;
                lastNote = clock.Elapsed;
                report.Note($"seeding: {done:N0} / {count:N0} images ({done / clock.Elapsed.TotalSeconds:N0}/s)");
            }), cancellationToken);
            imagesSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            seeder.CreateActiveModel(Seed);
            modelSeconds = clock.Elapsed.TotalSeconds;
            await host.StopAsync(CancellationToken.None);
        }
        var figures = new { n = count, store = path, seeded = true, images_s = imagesSeconds, model_s = modelSeconds, seed_s = imagesSeconds + modelSeconds };
        File.WriteAllText(Path.Combine(path, MarkerFile), JsonSerializer.Serialize(figures));
        report.Figures("seed", figures);
        return path;
    }
}

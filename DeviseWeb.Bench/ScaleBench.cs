using System.Diagnostics;
using DeviseWeb.Cli;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Search;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using static TorchSharp.torch;

namespace DeviseWeb.Bench;

/// <summary>
/// Figures on a store seeded with N images (<see cref="ScaleStore"/>), through the engine's public surface: cold start
/// to the first search in a fresh process, exact top-10 on the active model's index (single and batched) with its
/// recall against an fp32 brute force over the same stored vectors, text search end to end, adding images one at a
/// time, memory growth, and a real import into the big store. What it adds is deleted afterwards, so the cached
/// store stays as seeded. Shapes match ../shared/peer's <c>knn</c> (uniform unit queries, k = 10, 200 queries).
/// </summary>
public static class ScaleBench
{
    private const int Queries = 200, K = 10, Warmup = 5, Adds = 1000, MemoryImages = 10_000, ColdStarts = 3;
    private const int BruteForceRows = 65_536;
    private const string ColdStartWord = "sea";
    private static readonly string[] Words =
    [
        "sea", "dog", "red car", "mountain", "something to eat", "bird", "flower", "boat", "house", "tree", "music",
        "a cat asleep", "bicycle", "moon", "fruit", "fish", "airplane", "clock", "bear", "train", "shoe", "guitar", "bridge",
        "snow", "castle", "insect", "tool", "book", "horse", "ball",
    ];

    public static async Task RunAsync(CliArguments cli, int count, BenchDataset? dataset, BenchReport report, CancellationToken cancellationToken)
    {
        string store = await ScaleStore.EnsureAsync(cli, count, report, cancellationToken);
        await ColdStartsAsync(store, count, report, cancellationToken);

        var clock = Stopwatch.StartNew();
        using var host = CliHost.Build(cli, o => o.DataDirectory = store);
        await CliHost.StartAsync(host, cancellationToken);
        var services = host.Services;
        int indexed = services.GetRequiredService<ModelService>().IndexedCount; // loads the active version's index
        double openSeconds = clock.Elapsed.TotalSeconds;
        var search = services.GetRequiredService<SearchService>();
        clock.Restart();
        await search.SearchAsync(new SearchQuery { Texts = [ColdStartWord], K = K }, cancellationToken); // loads the text encoder
        report.Figures("open", new { n = count, indexed, open_s = openSeconds, first_text_search_s = clock.Elapsed.TotalSeconds });

        Tidy(services, count, report);
        var seeder = ActivatorUtilities.CreateInstance<ScaleSeeder>(services);
        var added = new List<int>();
        try
        {
            int dimension = Knn(seeder, count, report);
            await TextSearchAsync(search, count, report, cancellationToken);
            await SimilarSearchAsync(search, services.GetRequiredService<ModelService>(), count, report, cancellationToken);
            AddOneAtATime(seeder, count, added, report);
            Memory(seeder, services, count, dimension, added, report);
            if (dataset is not null) await ImportIntoAsync(services, count, dataset, added, report, cancellationToken);
        }
        finally
        {
            await RestoreAsync(services, store, count, added, report);
            await host.StopAsync(CancellationToken.None);
        }
        report.Figures("peak-rss", new { after_n = count, peak_rss_mb = BenchMath.Megabytes(BenchMath.PeakResidentBytes()) });
    }

    private static async Task ColdStartsAsync(string store, int count, BenchReport report, CancellationToken cancellationToken)
    {
        var runs = new List<ColdStart.Run>();
        for (int i = 0; i < ColdStarts; i++) runs.Add(await ColdStart.SearchOnceAsync(store, ColdStartWord, cancellationToken));
        foreach (var failed in runs.Where(r => r.ExitCode != 0)) report.Note($"cold start exited {failed.ExitCode}: {failed.Errors}");
        report.Figures("cold-start", new
        {
            n = count, runs_s = runs.Select(r => r.Seconds).ToArray(), median_s = BenchMath.Percentile(runs.Select(r => r.Seconds).ToList(), 50),
            ok = runs.All(r => r.ExitCode == 0),
        });
    }

    /// <summary>Single and batched exact top-10 on the active index, and recall of both against an fp32 brute force.</summary>
    private static int Knn(ScaleSeeder seeder, int count, BenchReport report)
    {
        using var lease = seeder.AcquireActiveIndex();
        var index = lease.Index;
        var random = new Random(7);
        var queries = Enumerable.Range(0, Queries).Select(_ => ScaleSeeder.RandomUnitVector(random, index.Dimension)).ToArray();
        for (int i = 0; i < Warmup; i++) index.Search(queries[i], K);
        var latencies = new List<double>(Queries);
        var single = new int[Queries][];
        for (int i = 0; i < Queries; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var hits = index.Search(queries[i], K);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            single[i] = hits.Select(h => h.Id).ToArray();
        }
        index.SearchBatch(queries[..2], K); // warm-up
        var clock = Stopwatch.StartNew();
        var batch = index.SearchBatch(queries, K);
        double batchSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var exact = BruteForce(index, queries, K);
        double bruteSeconds = clock.Elapsed.TotalSeconds;
        report.Figures("knn", new
        {
            n = count, indexed = index.Count, dim = index.Dimension, queries = Queries, k = K, model_id = lease.ModelId,
            single_ms_p50 = BenchMath.Percentile(latencies, 50), single_ms_p95 = BenchMath.Percentile(latencies, 95),
            batch_queries = Queries, batch_s = batchSeconds, batch_qps = Queries / batchSeconds,
            recall_at_10 = Recall(single, exact), batch_recall_at_10 = Recall(batch.Select(b => b.Select(h => h.Id).ToArray()).ToArray(), exact),
            brute_force_s = bruteSeconds,
        });
        return index.Dimension;
    }

    /// <summary>Exact fp32 top-k over every stored vector of the index, read back in blocks and scored with one matrix product each.</summary>
    private static int[][] BruteForce(IVectorIndex index, float[][] queries, int k)
    {
        var ids = index.Ids();
        var best = queries.Select(_ => new List<(float Score, int Id)>(2 * k)).ToArray();
        using var q = TensorRows.ToTensor(queries, index.Dimension);
        for (int start = 0; start < ids.Count; start += BruteForceRows)
        {
            using var scope = NewDisposeScope();
            var block = ids.Skip(start).Take(BruteForceRows).ToArray();
            var rows = TensorRows.ToTensor(index.GetMany(block).Select(v => v!).ToArray(), index.Dimension); // ids came from the index itself
            int take = Math.Min(k, block.Length);
            var (values, positions) = q.mm(rows.t()).topk(take, dim: 1);
            var scores = values.data<float>().ToArray();
            var at = positions.data<long>().ToArray();
            for (int i = 0; i < queries.Length; i++)
            {
                for (int j = 0; j < take; j++) best[i].Add((scores[i * take + j], block[at[i * take + j]]));
                best[i] = best[i].OrderByDescending(b => b.Score).ThenBy(b => b.Id).Take(k).ToList();
            }
        }
        return best.Select(b => b.Select(x => x.Id).ToArray()).ToArray();
    }

    /// <summary>
    /// "More like this" end to end for gallery images (the photo ranking: the backbone features scanned as well as the
    /// embeddings, then the blended re-rank), beside the text search above.
    /// </summary>
    private static async Task SimilarSearchAsync(SearchService search, ModelService models, int count, BenchReport report, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> ids;
        using (var lease = models.Acquire()) ids = lease.Model.Index.Ids();
        var random = new Random(17);
        var latencies = new List<double>(Queries);
        for (int i = 0; i < Queries + Warmup; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await search.SearchSimilarAsync(ids[random.Next(ids.Count)], K, cancellationToken: cancellationToken);
            if (i >= Warmup) latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        report.Figures("similar-search", new { n = count, queries = Queries, k = K, ms_p50 = BenchMath.Percentile(latencies, 50), ms_p95 = BenchMath.Percentile(latencies, 95) });
    }

    private static double Recall(IReadOnlyList<int[]> answers, IReadOnlyList<int[]> exact) =>
        answers.Zip(exact).Average(p => p.Second.Length == 0 ? 1.0 : p.First.Intersect(p.Second).Count() / (double)p.Second.Length);

    /// <summary>Text search end to end, as a host calls it: the phrase encoded, the index searched, hits read from the store.</summary>
    private static async Task TextSearchAsync(SearchService search, int count, BenchReport report, CancellationToken cancellationToken)
    {
        var latencies = new List<double>(Queries);
        for (int i = 0; i < Queries; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await search.SearchAsync(new SearchQuery { Texts = [Words[i % Words.Length]], K = K }, cancellationToken);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        report.Figures("text-search", new { n = count, queries = Queries, k = K, ms_p50 = BenchMath.Percentile(latencies, 50), ms_p95 = BenchMath.Percentile(latencies, 95) });
    }

    /// <summary>Images added one per transaction, as uploads arrive: the index's Add apart from the whole insert.</summary>
    private static void AddOneAtATime(ScaleSeeder seeder, int count, List<int> added, BenchReport report)
    {
        var random = new Random(11);
        var index = new List<double>(Adds);
        var insert = new List<double>(Adds);
        for (int i = 0; i < Adds; i++)
        {
            var timing = seeder.AddImageTimed(random);
            added.Add(timing.Id);
            index.Add(timing.Index.TotalMilliseconds);
            insert.Add(timing.Insert.TotalMilliseconds);
        }
        report.Figures("add", new
        {
            n = count, images = Adds, index_ms_p50 = BenchMath.Percentile(index, 50), index_ms_p95 = BenchMath.Percentile(index, 95),
            insert_ms_p50 = BenchMath.Percentile(insert, 50), insert_ms_p95 = BenchMath.Percentile(insert, 95),
        });
    }

    /// <summary>
    /// Resident memory before and after adding images, against the bytes of their vectors (fp32), with where it went:
    /// anonymous or file-backed pages, the managed heap, LiteDB's page cache. Twice: one image per transaction, as
    /// imports and uploads write them ("memory"), and a thousand per transaction, as a seal, a catch-up batch or a bulk
    /// relabel writes many rows at once ("memory-batched", which also shows LiteDB's cache held to its budget).
    /// </summary>
    private static void Memory(ScaleSeeder seeder, IServiceProvider services, int count, int dimension, List<int> added, BenchReport report)
    {
        var random = new Random(13);
        MemoryStep("memory", seeder, services, count, dimension, report, () =>
        {
            for (int i = 0; i < MemoryImages; i++) added.Add(seeder.AddImageTimed(random).Id);
        });
        MemoryStep("memory-batched", seeder, services, count, dimension, report, () => added.AddRange(seeder.AddImages(MemoryImages, random)));
    }

    private static void MemoryStep(string name, ScaleSeeder seeder, IServiceProvider services, int count, int dimension, BenchReport report, Action addImages)
    {
        var database = services.GetRequiredService<DeviseDatabase>();
        var features = services.GetRequiredService<FeatureStore>();
        using var lease = seeder.AcquireActiveIndex();
        int Unsealed(IVectorIndex index) => (index as InProcessVectorIndex)?.UnsealedRows ?? 0;
        int featuresBefore = Unsealed(features.Index), embeddingsBefore = Unsealed(lease.Index);
        var before = MemoryBreakdown.Settled(database);
        var clock = Stopwatch.StartNew();
        addImages();
        double seconds = clock.Elapsed.TotalSeconds;
        var after = MemoryBreakdown.Settled(database);
        long growth = after.Resident - before.Resident;
        double vectors = (double)MemoryImages * dimension * sizeof(float);
        // Each image also stores its backbone features, the input of training and re-embedding: a vector too.
        double allVectors = (double)MemoryImages * (dimension + seeder.FeatureDimension) * sizeof(float);
        report.Figures(name, new
        {
            n = count, images = MemoryImages, img_per_s = MemoryImages / seconds,
            rss_before_mb = BenchMath.Megabytes(before.Resident), rss_after_mb = BenchMath.Megabytes(after.Resident),
            growth_mb = BenchMath.Megabytes(growth), embeddings_mb = vectors / (1024 * 1024), growth_ratio = growth / vectors,
            features_and_embeddings_mb = allVectors / (1024 * 1024), growth_ratio_all_vectors = growth / allVectors,
            growth_by_kind = before.Growth(after),
            unsealed_rows = new { features_before = featuresBefore, features_after = Unsealed(features.Index), embeddings_before = embeddingsBefore, embeddings_after = Unsealed(lease.Index) },
        });
    }

    /// <summary>The memory step alone (<c>--only memory</c>), after the same thousand single adds the scale run makes first.</summary>
    public static async Task MemoryOnlyAsync(CliArguments cli, int count, BenchReport report, CancellationToken cancellationToken)
    {
        string store = await ScaleStore.EnsureAsync(cli, count, report, cancellationToken);
        using var host = CliHost.Build(cli, o => o.DataDirectory = store);
        await CliHost.StartAsync(host, cancellationToken);
        var services = host.Services;
        _ = services.GetRequiredService<ModelService>().IndexedCount;
        Tidy(services, count, report);
        var seeder = ActivatorUtilities.CreateInstance<ScaleSeeder>(services);
        var added = new List<int>();
        try
        {
            int dimension;
            using (var lease = seeder.AcquireActiveIndex()) dimension = lease.Index.Dimension;
            AddOneAtATime(seeder, count, added, report);
            Memory(seeder, services, count, dimension, added, report);
        }
        finally
        {
            await RestoreAsync(services, store, count, added, report);
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static async Task ImportIntoAsync(IServiceProvider services, int count, BenchDataset dataset, List<int> added, BenchReport report, CancellationToken cancellationToken)
    {
        try
        {
            var run = await BaseBench.ImportIntoAsync(services, dataset, report, cancellationToken);
            report.Figures("import-into", new { n = count, images = run.Added, duplicates = run.Duplicates, rejected = run.Rejected, img_per_s = run.ImagesPerSecond });
        }
        finally
        {
            // Only synthetic images were there before: every real one found now was added by this run (or a failed one).
            var gallery = services.GetRequiredService<GalleryService>();
            foreach (var file in dataset.Files)
                if (gallery.FindByHash(SafeImageLoader.HashOf(File.ReadAllBytes(file))) is { } image) added.Add(image.Id);
        }
    }

    /// <summary>
    /// Seeding gave the store's images ids 1..N and ids are never reused, so images past the first N were left by a run
    /// that was killed before it could delete what it added: delete them now.
    /// </summary>
    private static void Tidy(IServiceProvider services, int count, BenchReport report)
    {
        var gallery = services.GetRequiredService<GalleryService>();
        int left = 0;
        while (gallery.Count > count)
        {
            var extra = gallery.List(new ImageQuery(Skip: count, Take: GalleryService.MaxPageSize)).Items.Select(i => i.Id).ToList();
            if (extra.Count == 0) break;
            left += gallery.Delete(extra).Count;
        }
        if (left > 0) report.Note($"deleted {left:N0} images an interrupted run had added to the {count:N0} store");
    }

    /// <summary>
    /// Deletes what the run added, through the gallery like any delete, and compacts once deleted rows pass 2 % of the
    /// store. Should that fail, the cached store's marker goes, so the next run seeds it afresh.
    /// </summary>
    private static async Task RestoreAsync(IServiceProvider services, string store, int count, List<int> added, BenchReport report)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var gallery = services.GetRequiredService<GalleryService>();
            foreach (var chunk in added.Distinct().Chunk(GalleryService.MaxPageSize)) gallery.Delete(chunk);
            bool compact = services.GetRequiredService<VectorColumnStore>().Removed().Count > count / 50;
            if (compact)
            {
                var context = new CommandContext(services, new CliArguments(["bench"]), TextWriter.Null, report.Errors, Json: false, Interactive: false, CancellationToken.None);
                await CliJobs.RunAsync(context, new JobRequest { Kind = JobKind.Compaction }, "bench compaction");
            }
            report.Note($"restored the {count:N0} store: deleted the {added.Count:N0} images this run added{(compact ? ", compacted" : "")} in {clock.Elapsed.TotalSeconds:0.0} s");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ScaleStore.Forget(store);
            report.Note($"could not restore the {count:N0} store ({e.Message}); it will be seeded again next run");
        }
    }
}

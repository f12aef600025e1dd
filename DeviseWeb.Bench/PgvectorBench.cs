using System.Diagnostics;
using System.Globalization;
using DeviseWeb.Engine;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Search.Index.Pgvector;

namespace DeviseWeb.Bench;

/// <summary>
/// The in-process index beside pgvector on the same N seeded 384-d vectors (<see cref="ClusteredVectors"/>): top-10
/// latency and recall against an fp32 brute force, for pgvector both exact (a scan) and HNSW at three ef_search values;
/// and the time to load N rows, to build the HNSW index, and to add 10,000 rows with and without it. PostgreSQL here is
/// PGlite (<see cref="PgliteProcess"/>): one query at a time in single-threaded WASM, so its figures are an upper bound
/// for a native server, not a forecast of one.
/// </summary>
public static class PgvectorBench
{
    private const int Dimension = 384, K = 10, Queries = 200, Warmup = 5, Added = 10_000, LoadChunkRows = 10_000;

    /// <summary>An exact scan reads every row in WASM (about 0.13 s a query at 100k, ten times that at 1M), so fewer of them.</summary>
    private const int ExactQueries = 50, ExactWarmup = 1;

    /// <summary>
    /// Every query once, unmeasured, before HNSW is timed at an ef_search: table and index outgrow PGlite's 128 MB of shared
    /// buffers at 100k, and without this the first ef_search measured paid for reading pages into cache (it came out slower
    /// than a wider search measured after it).
    /// </summary>
    private const int HnswWarmup = Queries;

    private const string Schema = "bench", Table = "bench";
    private static readonly int[] EfSearches = [40, 100, 200];
    private static readonly TimeSpan Beat = TimeSpan.FromSeconds(30);

    private sealed record Latency(int Queries, double P50, double P95, double Recall);

    private sealed record PgvectorRun(string Version, string MaintenanceWorkMemory, double LoadSeconds, Latency Exact, double AddExactSeconds,
        double BuildSeconds, IReadOnlyList<(int EfSearch, Latency Latency)> Hnsw, double AddHnswSeconds);

    public static async Task RunAsync(int count, BenchReport report, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        report.Note($"pgvector {count:N0}: generating {count + Added + Queries:N0} {ClusteredVectors.Kind} vectors of {Dimension}");
        var generator = new ClusteredVectors(Dimension, seed: 23);
        var rows = generator.Next(count);
        var added = generator.Next(Added);
        var queries = generator.Next(Queries);
        var clock = Stopwatch.StartNew();
        var exact = ClusteredVectors.BruteForce(rows, queries, K); // row positions, which are also the ids below
        double bruteForceSeconds = clock.Elapsed.TotalSeconds;
        cancellationToken.ThrowIfCancellationRequested();

        report.Note($"pgvector {count:N0}: in-process index");
        Latency inProcess;
        using (var index = InProcessVectorIndex.Build(Dimension, Enumerable.Range(0, count).ToArray(), rows))
            inProcess = Measure(query => index.Search(query, K), queries, exact, Warmup);

        report.Note($"pgvector {count:N0}: starting PGlite");
        using var server = await PgliteProcess.StartAsync(cancellationToken);
        PgvectorRun pgvector;
        try
        {
            pgvector = await PgvectorAsync(server, rows, added, queries, exact, report, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            report.Note($"pgvector {count:N0} failed; PGlite's last output:\n{server.RecentOutput()}");
            throw;
        }

        report.Figures("pgvector", new
        {
            n = count, dim = Dimension, vectors = ClusteredVectors.Kind, k = K, server = $"PGlite, pgvector {pgvector.Version}",
            maintenance_work_mem = pgvector.MaintenanceWorkMemory, brute_force_s = bruteForceSeconds,
            in_process_queries = inProcess.Queries, in_process_ms_p50 = inProcess.P50, in_process_ms_p95 = inProcess.P95,
            in_process_recall_at_10 = inProcess.Recall,
            exact_load_s = pgvector.LoadSeconds, exact_queries = pgvector.Exact.Queries, exact_ms_p50 = pgvector.Exact.P50,
            exact_ms_p95 = pgvector.Exact.P95, exact_recall_at_10 = pgvector.Exact.Recall, exact_add_10k_s = pgvector.AddExactSeconds,
            hnsw_build_s = pgvector.BuildSeconds, hnsw_queries = Queries,
            hnsw_ms_p50 = ByEfSearch(pgvector, l => l.P50), hnsw_ms_p95 = ByEfSearch(pgvector, l => l.P95),
            hnsw_recall_at_10 = ByEfSearch(pgvector, l => l.Recall), hnsw_add_10k_s = pgvector.AddHnswSeconds,
            total_s = total.Elapsed.TotalSeconds,
        });
        PrintTable(report, count, inProcess, pgvector);
    }

    private static async Task<PgvectorRun> PgvectorAsync(PgliteProcess server, float[][] rows, float[][] added, float[][] queries, int[][] exact,
        BenchReport report, CancellationToken cancellationToken)
    {
        int count = rows.Length;
        string step = $"pgvector {count:N0}";
        string version, workMemory;
        double loadSeconds, addExactSeconds;
        Latency exactScan;
        using (var database = new PgvectorDatabase(Settings(server, hnsw: false, efSearch: EfSearches[0])))
        using (var index = PgvectorIndex.OpenTable(database, Table, Dimension))
        {
            version = Scalar(database, "SELECT extversion FROM pg_extension WHERE extname = 'vector'");
            workMemory = Scalar(database, "SHOW maintenance_work_mem");
            loadSeconds = Load(index, 0, rows, report, $"{step}: loading the table", cancellationToken);
            using (Heartbeat(report, $"{step}: exact search, {ExactQueries} queries"))
                exactScan = Measure(query => index.Search(query, K), queries[..ExactQueries], exact, ExactWarmup);
            addExactSeconds = Load(index, count, added, report, $"{step}: adding {Added:N0} rows, no index", cancellationToken);
            // Back to the N rows for the HNSW build; VACUUM so the deleted rows leave no dead tuples behind.
            database.Run("deleting the added rows", source =>
            {
                using var delete = source.CreateCommand($"DELETE FROM {database.TableOf(Table)} WHERE id >= {count}");
                return delete.ExecuteNonQuery();
            });
            await index.CompactAsync(cancellationToken);
        }
        cancellationToken.ThrowIfCancellationRequested();

        var clock = Stopwatch.StartNew();
        using (Heartbeat(report, $"{step}: building the HNSW index"))
        using (var database = new PgvectorDatabase(Settings(server, hnsw: true, efSearch: EfSearches[0])))
        using (PgvectorIndex.OpenTable(database, Table, Dimension)) { } // opening builds the index the settings ask for
        double buildSeconds = clock.Elapsed.TotalSeconds;

        var hnsw = new List<(int, Latency)>();
        double addHnswSeconds = 0;
        foreach (int efSearch in EfSearches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            report.Note($"{step}: HNSW search, ef_search {efSearch}");
            using var database = new PgvectorDatabase(Settings(server, hnsw: true, efSearch));
            using var index = PgvectorIndex.OpenTable(database, Table, Dimension);
            hnsw.Add((efSearch, Measure(query => index.Search(query, K), queries, exact, HnswWarmup)));
            if (efSearch == EfSearches[^1]) addHnswSeconds = Load(index, count, added, report, $"{step}: adding {Added:N0} rows, HNSW", cancellationToken);
        }
        return new PgvectorRun(version, workMemory, loadSeconds, exactScan, addExactSeconds, buildSeconds, hnsw, addHnswSeconds);
    }

    private static IndexSettings Settings(PgliteProcess server, bool hnsw, int efSearch) => new()
    {
        Provider = IndexProvider.Pgvector, ConnectionString = server.ConnectionString, Schema = Schema, Hnsw = hnsw, EfSearch = efSearch,
        WriteBatchRows = 2_000, CommandTimeoutSeconds = 3_600,
    };

    /// <summary>Single-query latencies after a few unmeasured queries, and recall@k of the answers against the exact lists.</summary>
    private static Latency Measure(Func<float[], IReadOnlyList<VectorHit>> search, float[][] queries, int[][] exact, int warmup)
    {
        for (int i = 0; i < warmup; i++) search(queries[i]);
        var latencies = new List<double>(queries.Length);
        var answers = new int[queries.Length][];
        for (int i = 0; i < queries.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            var hits = search(queries[i]);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            answers[i] = hits.Select(h => h.Id).ToArray();
        }
        return new Latency(queries.Length, BenchMath.Percentile(latencies, 50), BenchMath.Percentile(latencies, 95),
            ClusteredVectors.Recall(answers, exact[..queries.Length]));
    }

    /// <summary>Rows under ids from <paramref name="firstId"/> on, in chunks only so progress shows (AddMany batches them its own way); seconds.</summary>
    private static double Load(PgvectorIndex index, int firstId, float[][] vectors, BenchReport report, string step, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < vectors.Length; start += LoadChunkRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(LoadChunkRows, vectors.Length - start);
            index.AddMany(Enumerable.Range(firstId + start, rows).ToArray(), VectorMath.Slice(vectors, start, rows));
            report.Note($"{step}: {start + rows:N0} / {vectors.Length:N0} rows, {clock.Elapsed.TotalSeconds:0} s");
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static string Scalar(PgvectorDatabase database, string sql) => database.Run("reading a setting", source =>
    {
        using var command = source.CreateCommand(sql);
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? "";
    });

    /// <summary>A line every half minute while a long step runs, so a slow run shows it is alive.</summary>
    private static Timer Heartbeat(BenchReport report, string step)
    {
        var clock = Stopwatch.StartNew();
        return new Timer(_ => report.Note($"{step}: {clock.Elapsed.TotalSeconds:0} s so far"), null, Beat, Beat);
    }

    private static Dictionary<string, double> ByEfSearch(PgvectorRun run, Func<Latency, double> figure) =>
        run.Hnsw.ToDictionary(h => $"ef{h.EfSearch}", h => figure(h.Latency));

    private static void PrintTable(BenchReport report, int count, Latency inProcess, PgvectorRun run)
    {
        var searches = new List<(string Name, Latency Latency)> { ("in-process (int8 + fp32 rerank)", inProcess), ("pgvector exact (scan)", run.Exact) };
        searches.AddRange(run.Hnsw.Select(h => ($"pgvector HNSW ef_search={h.EfSearch}", h.Latency)));
        var lines = new List<string>
        {
            "",
            $"pgvector vs in-process: N = {count:N0}, {Dimension}-d {ClusteredVectors.Kind}, k = {K}, PGlite (single-threaded WASM), pgvector {run.Version}",
            $"{"search",-34}{"queries",8}{"p50 ms",10}{"p95 ms",10}{"recall@10",11}{"p50 / in-process",18}",
        };
        lines.AddRange(searches.Select(s =>
            $"{s.Name,-34}{s.Latency.Queries,8}{s.Latency.P50,10:0.00}{s.Latency.P95,10:0.00}{s.Latency.Recall,11:0.000}{s.Latency.P50 / inProcess.P50,18:0.0}"));
        lines.Add($"{"write",-34}{"seconds",8}");
        lines.Add($"{$"load {count:N0} rows (no index)",-34}{run.LoadSeconds,8:0.0}");
        lines.Add($"{$"build HNSW on {count:N0} rows",-34}{run.BuildSeconds,8:0.0}");
        lines.Add($"{$"add {Added:N0} rows, no index",-34}{run.AddExactSeconds,8:0.0}");
        lines.Add($"{$"add {Added:N0} rows, HNSW",-34}{run.AddHnswSeconds,8:0.0}");
        foreach (var line in lines) report.Text(line);
    }
}

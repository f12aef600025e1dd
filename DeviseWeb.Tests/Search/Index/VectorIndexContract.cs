using System.Numerics.Tensors;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Search.Index.Pgvector;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Search.Index;

/// <summary>
/// What every <see cref="IVectorIndex"/> promises, run against each implementation: the in-process index over a
/// file-backed column, and the pgvector index over a real PostgreSQL (PGlite). Results are checked against brute force.
/// </summary>
public abstract class VectorIndexContract : IDisposable
{
    protected const int Dimension = 48;
    private readonly List<IDisposable> _open = [];

    /// <summary>A new, empty index of <see cref="Dimension"/>, kept where <see cref="Reopen"/> finds it again.</summary>
    protected abstract IVectorIndex CreateIndex();

    /// <summary>The same index after a restart: the old object disposed, a new one opened over the same storage.</summary>
    protected abstract IVectorIndex Reopen(IVectorIndex index);

    protected T Track<T>(T index) where T : IDisposable
    {
        _open.Add(index);
        return index;
    }

    public void Dispose()
    {
        foreach (var index in _open) index.Dispose();
    }

    private static Dictionary<int, float[]> Fill(IVectorIndex index, int count, int seed, int firstId = 10)
    {
        var live = new Dictionary<int, float[]>();
        var vectors = VectorData.UnitVectors(count, Dimension, seed);
        for (int i = 0; i < count; i++)
        {
            index.Add(firstId + i * 2, vectors[i]);
            live[firstId + i * 2] = vectors[i];
        }
        return live;
    }

    private static void AssertHolds(IVectorIndex index, Dictionary<int, float[]> live, int seed)
    {
        Assert.Equal(live.Count, index.Count);
        Assert.Equal(live.Keys.Order(), index.Ids());
        foreach (var query in VectorData.UnitVectors(10, Dimension, seed))
            VectorData.AssertSameHits(VectorData.BruteForce(live, query, 10), index.Search(query, 10));
    }

    [Fact]
    public void AddRemoveReAdd_SearchMatchesBruteForce()
    {
        var index = CreateIndex();
        var live = Fill(index, 300, seed: 1);
        foreach (int id in live.Keys.Where((_, i) => i % 3 == 0).ToList())
        {
            Assert.True(index.Remove(id));
            live.Remove(id);
        }
        Assert.False(index.Remove(10)); // removed already
        Assert.False(index.Remove(11)); // never there
        var again = VectorData.UnitVectors(20, Dimension, seed: 2);
        for (int i = 0; i < again.Length; i++)
        {
            int id = 10 + i * 6; // every other one removed above, the rest replaced
            index.Add(id, again[i]);
            live[id] = again[i];
        }

        AssertHolds(index, live, seed: 3);
        Assert.True(index.Contains(16));
        Assert.False(index.Contains(11));
        Assert.Null(index.Get(11));
        Assert.Equal(again[1], index.Get(16)!, new FloatTolerance(1e-6f));
    }

    [Fact]
    public void Add_NotUnitVector_StoredNormalised()
    {
        var index = CreateIndex();
        var vector = VectorData.UnitVectors(1, Dimension, seed: 4)[0].Select(v => v * 7).ToArray();
        index.Add(5, vector);

        Assert.Equal(1f, TensorPrimitives.Norm(index.Get(5)!), 1e-5f);
        Assert.Equal(1f, index.Search(vector, 1).Single().Score, 1e-5f);
    }

    [Fact]
    public void Search_ExcludeAndMinScore_MatchBruteForce()
    {
        var index = CreateIndex();
        var live = Fill(index, 200, seed: 5);
        var query = VectorData.UnitVectors(1, Dimension, seed: 6)[0];
        var top = VectorData.BruteForce(live, query, 6);
        // The floor between the fifth and sixth scores: an implementation's rounding never moves a row across it.
        var options = new VectorSearchOptions { Exclude = top.Take(3).Select(h => h.Id).ToHashSet(), MinScore = (top[4].Score + top[5].Score) / 2 };

        var hits = index.Search(query, 10, options);

        VectorData.AssertSameHits(VectorData.BruteForce(live, query, 10, options), hits);
        Assert.Equal(2, hits.Count); // two of the best five are left after three are excluded, and the floor cuts the rest
    }

    [Fact]
    public void SearchBatch_EachQuery_MatchesBruteForce()
    {
        var index = CreateIndex();
        var live = Fill(index, 250, seed: 7);
        var queries = VectorData.UnitVectors(12, Dimension, seed: 8);

        var results = index.SearchBatch(queries, 7);

        Assert.Equal(queries.Length, results.Count);
        for (int q = 0; q < queries.Length; q++) VectorData.AssertSameHits(VectorData.BruteForce(live, queries[q], 7), results[q]);
    }

    [Fact]
    public void GetMany_KnownAndUnknownIds_InTheirOrder()
    {
        var index = CreateIndex();
        var live = Fill(index, 20, seed: 9);

        var vectors = index.GetMany([12, 13, 10, 12]);

        Assert.Equal(live[12], vectors[0]!, new FloatTolerance(1e-6f));
        Assert.Null(vectors[1]);
        Assert.Equal(live[10], vectors[2]!, new FloatTolerance(1e-6f));
        Assert.Equal(live[12], vectors[3]!, new FloatTolerance(1e-6f));
        Assert.Equal([true, false, true, true], index.ContainsMany([12, 13, 10, 12]));
    }

    [Fact]
    public void Reopen_AfterRestart_HoldsWhatWasWritten()
    {
        var index = CreateIndex();
        var live = Fill(index, 150, seed: 10);
        foreach (int id in live.Keys.Take(40).ToList())
        {
            index.Remove(id);
            live.Remove(id);
        }

        var reopened = Reopen(index);

        AssertHolds(reopened, live, seed: 11);
        var more = VectorData.UnitVectors(1, Dimension, seed: 12)[0];
        reopened.Add(9999, more);
        live[9999] = more;
        AssertHolds(reopened, live, seed: 13);
    }

    [Fact]
    public async Task ConcurrentReaders_DuringWrites_SeeOnlyWholeRows()
    {
        var index = CreateIndex();
        var live = Fill(index, 100, seed: 14);
        var added = VectorData.UnitVectors(150, Dimension, seed: 15);
        var everAdded = new Dictionary<int, float[]>(live);
        for (int i = 0; i < added.Length; i++) everAdded[5000 + i] = added[i];
        var queries = VectorData.UnitVectors(8, Dimension, seed: 16);
        using var done = new CancellationTokenSource();
        int searches = 0;

        var readers = Enumerable.Range(0, 3).Select(r => Task.Run(() =>
        {
            while (!done.IsCancellationRequested || Volatile.Read(ref searches) < 3)
            {
                var query = queries[(r + Volatile.Read(ref searches)) % queries.Length];
                var hits = index.Search(query, 10);
                Interlocked.Increment(ref searches);
                Assert.Equal(10, hits.Count);
                Assert.Equal(hits.Count, hits.Select(h => h.Id).Distinct().Count());
                foreach (var hit in hits) // every hit is a row some write stored whole, scored exactly
                    Assert.Equal(TensorPrimitives.CosineSimilarity(query, everAdded[hit.Id]), hit.Score, 1e-5f);
                for (int i = 1; i < hits.Count; i++) Assert.True(hits[i - 1].Score >= hits[i].Score);
            }
        })).ToArray();
        await Task.Run(() =>
        {
            for (int i = 0; i < added.Length; i++)
            {
                index.Add(5000 + i, added[i]);
                live[5000 + i] = added[i];
                if (i % 3 == 0)
                {
                    int gone = 10 + i * 2;
                    index.Remove(gone);
                    live.Remove(gone);
                }
            }
        });
        done.Cancel();
        await Task.WhenAll(readers);

        Assert.True(searches >= 3);
        AssertHolds(index, live, seed: 17);
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float value) => 0;
    }
}

/// <summary>The contract, in process: segments and tail over a file-backed column (small seals, so both are used).</summary>
public sealed class InProcessVectorIndexContractTests : VectorIndexContract
{
    private readonly string _folder = TestData.NewTemporaryDirectory("index-contract");
    private static readonly VectorIndexOptions Options = new() { SealRows = 64 };

    protected override IVectorIndex CreateIndex() => Track(InProcessVectorIndex.Open(new FileVectorColumn(_folder, Dimension), Options));

    protected override IVectorIndex Reopen(IVectorIndex index)
    {
        index.Dispose();
        return Track(InProcessVectorIndex.Open(new FileVectorColumn(_folder, Dimension), Options));
    }
}

/// <summary>The contract on PostgreSQL with pgvector (PGlite), exact search: a table per test, in a schema per test.</summary>
[Collection(PgliteCollection.Name)]
public sealed class PgvectorIndexContractTests : VectorIndexContract
{
    private readonly PgliteServer _server;
    private readonly PgvectorDatabase _database;

    public PgvectorIndexContractTests(PgliteServer server)
    {
        _server = server;
        _database = Track(new PgvectorDatabase(server.NewSettings()));
    }

    protected override IVectorIndex CreateIndex() => Track(PgvectorIndex.OpenTable(_database, "contract", Dimension));

    protected override IVectorIndex Reopen(IVectorIndex index)
    {
        index.Dispose();
        // A new connection pool too: nothing cached in this process survives a restart.
        var database = Track(new PgvectorDatabase(_database.Settings));
        return Track(PgvectorIndex.OpenTable(database, "contract", Dimension));
    }

    [Fact]
    public void Open_UnreachableServer_NamesTheIndex()
    {
        var settings = _server.NewSettings();
        settings.ConnectionString = "Host=127.0.0.1;Port=1;Username=postgres;Timeout=2";
        using var database = new PgvectorDatabase(settings);

        var error = Assert.Throws<DeviseWeb.Engine.IndexUnavailableException>(() => PgvectorIndex.OpenTable(database, "contract", Dimension));

        Assert.Contains("PostgreSQL at 127.0.0.1:1", error.Message);
    }

    [Fact]
    public void Hnsw_Search_FindsMostOfTheExactTopTen()
    {
        using var database = new PgvectorDatabase(_server.NewSettings(hnsw: true));
        using var index = PgvectorIndex.OpenTable(database, "hnsw", Dimension);
        var vectors = VectorData.UnitVectors(2000, Dimension, seed: 20);
        index.AddMany(Enumerable.Range(0, vectors.Length).ToArray(), vectors);
        var live = Enumerable.Range(0, vectors.Length).ToDictionary(i => i, i => vectors[i]);
        var queries = VectorData.UnitVectors(20, Dimension, seed: 21);

        var results = index.SearchBatch(queries, 10);

        double recall = queries.Select((q, i) => VectorData.BruteForce(live, q, 10).Select(h => h.Id).Intersect(results[i].Select(h => h.Id)).Count() / 10.0).Average();
        Assert.True(recall >= 0.9, $"HNSW recall@10 {recall:F2}"); // pgvector's defaults (m 16, ef_construction 64) with ef_search 100
        Assert.All(results, r => Assert.Equal(10, r.Count));
    }
}

using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Tests.Search.Index;

/// <summary>Searches running while a writer adds, replaces and removes, and seals and compactions run.</summary>
public sealed class InProcessVectorIndexConcurrencyTests
{
    private const int Dimension = 16;

    private sealed record Change(int Id, float[]? Vector);

    private sealed record Observation(int Query, int ChangesBefore, int ChangesAfter, IReadOnlyList<VectorHit> Hits);

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // segment files replaced, unmapped and deleted while searches read them
    public async Task Search_DuringWritesSealsAndCompactions_EachResultMatchesSomeMomentItSpanned(bool persisted)
    {
        // Arrange: a scripted history of changes; the writer counts the ones it has published.
        var random = new Random(21);
        var vectors = VectorData.UnitVectors(3000, Dimension, seed: 22);
        var changes = new List<Change>();
        for (int i = 0; i < 3000; i++)
        {
            int id = random.Next(800);
            changes.Add(random.Next(4) == 0 ? new Change(id, null) : new Change(id, vectors[i]));
        }
        var queries = VectorData.UnitVectors(3, Dimension, seed: 23);
        var options = new VectorIndexOptions { SealRows = 64, CompactRemovedShare = 0.1 };
        using var index = persisted
            ? InProcessVectorIndex.Open(new FileVectorColumn(Infrastructure.TestData.NewTemporaryDirectory("concurrency"), Dimension), options)
            : new InProcessVectorIndex(Dimension, options: options);
        int published = 0;
        var observations = new List<Observation>();
        using var stop = new CancellationTokenSource();

        // Act
        var writer = Task.Run(() =>
        {
            foreach (var change in changes)
            {
                if (change.Vector is null) index.Remove(change.Id);
                else index.Add(change.Id, change.Vector);
                Interlocked.Increment(ref published);
            }
        });
        var compactor = Task.Run(async () =>
        {
            while (!writer.IsCompleted) await index.CompactAsync();
        });
        var reader = Task.Run(() =>
        {
            for (int n = 0; !writer.IsCompleted || n < 50; n++)
            {
                int before = Volatile.Read(ref published);
                var hits = index.Search(queries[n % queries.Length], 5);
                observations.Add(new Observation(n % queries.Length, before, Volatile.Read(ref published), hits));
            }
        });
        await Task.WhenAll(writer, compactor, reader);

        // Assert: replay the history; each result equals brute force at a moment between its two counts
        // (the change after the second count may already be visible: it is counted after it is published).
        var live = new Dictionary<int, float[]>();
        var expected = new List<List<VectorHit>[]>();
        void Record() => expected.Add(queries.Select(q => VectorData.BruteForce(live, q, 5)).ToArray());
        Record();
        foreach (var change in changes)
        {
            if (change.Vector is null) live.Remove(change.Id);
            else live[change.Id] = change.Vector;
            Record();
        }
        Assert.True(observations.Count >= 50);
        Assert.All(observations, o => Assert.True(
            Enumerable.Range(o.ChangesBefore, Math.Min(o.ChangesAfter + 1, changes.Count) - o.ChangesBefore + 1)
                .Any(moment => VectorData.SameHits(expected[moment][o.Query], o.Hits)),
            $"A search between changes {o.ChangesBefore} and {o.ChangesAfter} matched no moment."));
        VectorData.AssertSameHits(expected[^1][0], index.Search(queries[0], 5));
        Assert.Equal(live.Count, index.Count);
    }
}

using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Tests.Search.Index;

/// <summary>Which candidates a scan keeps does not depend on how it was split among threads, ties included.</summary>
public sealed class TopCollectorTests
{
    [Fact]
    public void Merge_TiedScoresSplitAndOrderedAnyWay_KeepsTheSameCandidates()
    {
        // Four distinct scores over 200 places: the best 30 cut through a run of equal scores.
        var candidates = Enumerable.Range(0, 200).Select(i => new Candidate(i % 4 * 0.25f, i / 50, i % 50)).ToArray();
        var expected = candidates.OrderByDescending(c => c.Score).ThenBy(c => c.Part).ThenBy(c => c.Row).Take(30).ToArray();

        for (int seed = 0; seed < 20; seed++)
        {
            var random = new Random(seed);
            var collectors = Enumerable.Range(0, 1 + seed % 5).Select(_ => new TopCollector(30)).ToArray();
            foreach (var candidate in candidates.OrderBy(_ => random.Next()))
                collectors[random.Next(collectors.Length)].Add(candidate.Score, candidate.Part, candidate.Row);

            Assert.Equal(expected, TopCollector.Merge(collectors, 30));
        }
    }

    [Fact]
    public void Search_IdenticalRows_SameHitsWhateverTheThreads()
    {
        var options = new VectorIndexOptions { SealRows = 64 };
        var vector = Enumerable.Range(0, 32).Select(i => MathF.Cos(i)).ToArray();
        using var one = new InProcessVectorIndex(32, quantized: true, options with { MaxDegreeOfParallelism = 1 });
        using var many = new InProcessVectorIndex(32, quantized: true, options with { MaxDegreeOfParallelism = 4 });
        for (int id = 0; id < 1000; id++)
        {
            one.Add(id, vector);
            many.Add(id, vector);
        }

        var alone = one.Search(vector, 10).Select(h => h.Id).ToArray();
        var split = many.Search(vector, 10).Select(h => h.Id).ToArray();

        Assert.Equal(alone, split);
        Assert.Equal(Enumerable.Range(0, 10), alone);
    }
}

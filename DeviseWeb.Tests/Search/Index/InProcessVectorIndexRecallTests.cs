using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Tests.Search.Index;

public sealed class InProcessVectorIndexRecallTests
{
    [Fact]
    public void Search_QuantizedRandomUnitVectors_RecallAtTenAtLeast99Percent()
    {
        // Arrange: random unit vectors are the hardest case for an int8 shortlist (near neighbours barely stand out).
        const int count = 50_000, dimension = 384, queries = 100;
        var vectors = VectorData.UnitVectors(count, dimension, seed: 31);
        var ids = Enumerable.Range(0, count).ToArray();
        using var index = InProcessVectorIndex.Build(dimension, ids, vectors);
        var questions = VectorData.UnitVectors(queries, dimension, seed: 32);

        // Act
        var single = questions.Take(20).Select(q => index.Search(q, 10)).ToList();
        var batch = index.SearchBatch(questions, 10);

        // Assert: recall against exact fp32 brute force, and every returned score is the exact cosine.
        int found = 0;
        for (int q = 0; q < queries; q++)
        {
            var exact = new float[count];
            for (int i = 0; i < count; i++) exact[i] = System.Numerics.Tensors.TensorPrimitives.Dot(questions[q], vectors[i]);
            var truth = Enumerable.Range(0, count).OrderByDescending(i => exact[i]).Take(10).ToHashSet();
            found += batch[q].Count(h => truth.Contains(h.Id));
            Assert.All(batch[q], h => Assert.Equal(exact[h.Id], h.Score, 1e-5f));
            if (q < single.Count) Assert.Equal(batch[q].Select(h => h.Id), single[q].Select(h => h.Id));
        }
        double recall = found / (10.0 * queries);
        Assert.True(recall >= 0.99, $"recall@10 {recall:0.000}");
    }
}

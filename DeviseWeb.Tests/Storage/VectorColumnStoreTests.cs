using DeviseWeb.Engine;
using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Storage;

/// <summary>An index on a column of the engine's store, written the way the engine writes it.</summary>
public sealed class VectorColumnStoreTests : IDisposable
{
    private readonly string _directory = TestData.NewTemporaryDirectory("columns");

    [Fact]
    public async Task Add_InsideStoreTransactionsWhileTheWorkerSeals_NeverDeadlocksAndKeepsEveryRow() =>
        // A deadlock would also hang disposing the index, so the whole test runs under the time limit.
        await Task.Run(AddWhileSealingAsync).WaitAsync(TimeSpan.FromSeconds(120));

    private async Task AddWhileSealingAsync()
    {
        const int rows = 3000, dimension = 8;
        var random = new Random(7);
        var vectors = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, dimension).Select(_ => random.NextSingle() - 0.5f).ToArray()).ToList();
        using var store = new DataStore(new EngineOptions { DataDirectory = _directory });
        var column = new VectorColumnStore(store.Database, _directory).Open(VectorColumnStore.EmbeddingsColumn(1), dimension, quantized: true);
        var options = new VectorIndexOptions { SealRows = 16 };

        using (var index = InProcessVectorIndex.Open(column, options))
        {
            // As an import does: each image's record and vector in one store transaction, while the index's worker
            // seals full tails into segments and commits them to the same store.
            var adding = Task.Run(() =>
            {
                for (int i = 0; i < rows; i++) store.Database.Write(() => index.Add(i + 1, vectors[i]));
            });
            await adding;
            await index.CompactAsync(CancellationToken.None);

            Assert.Equal(rows, index.Count);
        }

        using var reopened = InProcessVectorIndex.Open(column, options);
        Assert.Equal(rows, reopened.Count);
        Assert.NotEmpty(Directory.GetFiles(column.SegmentDirectory));
        Assert.Equal(1234, reopened.Search(vectors[1233], 1)[0].Id);
    }

    public void Dispose() => TestData.DeleteQuietly(_directory);
}

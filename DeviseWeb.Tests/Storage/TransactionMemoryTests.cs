using DeviseWeb.Engine;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;
using LiteDB;

namespace DeviseWeb.Tests.Storage;

/// <summary>
/// LiteDB's memory for open transactions is capped (<see cref="LiteDbMemoryCap"/>): a transaction larger than the
/// budget writes its pages to the log early, stays atomic, and leaves the page cache near the budget.
/// </summary>
public sealed class TransactionMemoryTests : IDisposable
{
    private const int Budget = 1_000; // pages of 8 KB
    private const int Rows = 3_000, RowBytes = 6_000; // about a page a row: three times the budget
    private readonly string _directory = TestData.NewTemporaryDirectory("txn-memory");

    [Fact]
    public void Open_OnAFile_CapsLiteDbsTransactionMemory()
    {
        using var database = new DeviseDatabase(Path.Combine(_directory, "devise.db"));

        Assert.True(database.TransactionMemoryCapped);
        Assert.True(database.CachePages > 0);
    }

    [Fact]
    public void Write_ThreeTimesTheBudget_CommitsWholeWhileTheCacheStaysNearTheBudget()
    {
        long capped = CacheGrowth(Budget, out int cappedRows);
        long uncapped = CacheGrowth(100_000, out _);

        Assert.Equal(Rows, cappedRows);
        Assert.True(capped <= Budget + 1_000, $"the capped cache grew by {capped} pages");
        Assert.True(uncapped >= 2 * Budget, $"the uncapped cache grew by only {uncapped} pages: the test no longer tells the two apart");
    }

    [Fact]
    public void Write_LargerThanTheBudgetThatThrows_LeavesNothingAndTheStoreGoesOn()
    {
        var (data, log) = (new MemoryStream(), new MemoryStream());
        using (var database = new DeviseDatabase(data, log, Budget))
        {
            var items = database.Collection<BsonDocument>("items");
            database.Write(() => items.Insert(Row(0)));

            Assert.Throws<InvalidInputException>(() => database.Write(() =>
            {
                InsertRows(items, 1);
                throw new InvalidInputException("refused after the rows");
            }));

            Assert.Equal(1, items.Count());
            database.Write(() => items.Insert(Row(Rows + 1)));
            Assert.Equal(2, items.Count());
            Assert.False(database.HadFailedWrite);
        }
        using var reopened = new DeviseDatabase(new MemoryStream(data.ToArray()), new MemoryStream(log.ToArray()));
        Assert.Equal([0, Rows + 1], reopened.Collection<BsonDocument>("items").FindAll().Select(d => d["_id"].AsInt32).Order());
    }

    /// <summary>The files as a kill would leave them in the middle of a large transaction, after it wrote pages early.</summary>
    [Fact]
    public void Write_LargerThanTheBudgetKilledBeforeItsCommit_ReopensWithoutIt()
    {
        var (data, log) = (new MemoryStream(), new MemoryStream());
        byte[] dataAtKill = [], logAtKill = [];
        using (var database = new DeviseDatabase(data, log, Budget))
        {
            var items = database.Collection<BsonDocument>("items");
            database.Write(() => items.Insert(Row(0)));
            long logBefore = log.Length;
            database.Write(() =>
            {
                InsertRows(items, 1);
                (dataAtKill, logAtKill) = (data.ToArray(), log.ToArray());
            });
            Assert.True(logAtKill.Length - logBefore > Budget * 8192L, $"the log grew by {logAtKill.Length - logBefore} bytes before the commit: no early write");
        }

        using var reopened = new DeviseDatabase(new MemoryStream(dataAtKill), new MemoryStream(logAtKill));
        Assert.Equal([0], reopened.Collection<BsonDocument>("items").FindAll().Select(d => d["_id"].AsInt32));
    }

    /// <summary>The disk fills while a large transaction writes its pages early: it fails, and nothing of it is there.</summary>
    [Fact]
    public void Write_LargerThanTheBudgetWhenTheDiskFills_FailsAndReopensWithoutIt()
    {
        var (data, log) = (new MemoryStream(), new FullDiskLog());
        Exception? failed;
        using (var database = new DeviseDatabase(data, log, Budget))
        {
            var items = database.Collection<BsonDocument>("items");
            database.Write(() => items.Insert(Row(0)));
            failed = Record.Exception(() => database.Write(() =>
            {
                for (int i = 1; i <= Rows; i++)
                {
                    if (i == 2 * Budget) log.Full = true;
                    items.Insert(Row(i));
                }
            }));
            log.Full = false;
        }

        Assert.IsType<IOException>(failed);
        using var reopened = new DeviseDatabase(new MemoryStream(data.ToArray()), new MemoryStream(log.ToArray()));
        Assert.Equal([0], reopened.Collection<BsonDocument>("items").FindAll().Select(d => d["_id"].AsInt32));
    }

    private long CacheGrowth(int budget, out int rows)
    {
        string path = Path.Combine(_directory, $"budget-{budget}.db");
        long growth;
        using (var database = new DeviseDatabase(path, budget))
        {
            var items = database.Collection<BsonDocument>("items");
            database.Write(() => items.Insert(Row(0)));
            long before = database.CachePages;
            database.Write(() => InsertRows(items, 1));
            growth = database.CachePages - before;
        }
        using var reopened = new DeviseDatabase(path, budget);
        rows = reopened.Collection<BsonDocument>("items").Count() - 1;
        return growth;
    }

    private static void InsertRows(ILiteCollection<BsonDocument> items, int first)
    {
        for (int i = first; i < first + Rows; i++) items.Insert(Row(i));
    }

    private static BsonDocument Row(int id)
    {
        var blob = new byte[RowBytes];
        new Random(id).NextBytes(blob);
        return new BsonDocument { ["_id"] = id, ["blob"] = blob };
    }

    public void Dispose() => TestData.DeleteQuietly(_directory);
}

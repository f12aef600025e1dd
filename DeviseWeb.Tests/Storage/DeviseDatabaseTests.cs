using DeviseWeb.Engine;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Tests.Infrastructure;
using LiteDB;

namespace DeviseWeb.Tests.Storage;

/// <summary>The store's write protocol (Storage/README.md): after-commit actions publish in commit order, under the store's lock.</summary>
public sealed class DeviseDatabaseTests : IDisposable
{
    private readonly string _directory = TestData.NewTemporaryDirectory("database");

    private DeviseDatabase Open() => new(Path.Combine(_directory, "devise.db"));

    [Fact]
    public async Task Write_CommittingRightAfterAnotherWhosePublicationIsHeld_SeesItAndPublishesAfterIt()
    {
        using var database = Open();
        var published = new List<string>();
        var second = new TaskCompletionSource<Task<bool>>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The first write has committed and not published: the second starts, and the first goes on once the second
        // has finished or is waiting for the store's lock.
        await CommitOrderTests.Intercepted(point =>
        {
            if (point != FaultPoints.WriteCommitted || second.Task.IsCompleted) return;
            var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var running = CommitOrderTests.Intercepted(p => { if (p == FaultPoints.WriteLockContended) waiting.TrySetResult(); },
                () => Task.FromResult(database.Write(() =>
                {
                    bool sawFirst = published.Contains("first");
                    database.AfterCommit(() => published.Add("second"));
                    return sawFirst;
                })));
            second.SetResult(running);
            Task.WaitAny(running, waiting.Task);
        }, () => Task.FromResult(database.Write(() => { database.AfterCommit(() => published.Add("first")); return 0; })));
        bool secondSawFirst = await await second.Task;

        Assert.Equal(["first", "second"], published);
        Assert.True(secondSawFirst);
    }

    [Fact]
    public void Write_Nested_PublishesOnlyWhenTheOutermostCommitsAndBeforeItReturns()
    {
        using var database = Open();
        var published = new List<string>();
        bool publishedInside = true;

        database.Write(() =>
        {
            database.Write(() => database.AfterCommit(() => published.Add("inner")));
            publishedInside = published.Count > 0;
            database.AfterCommit(() => published.Add("outer"));
        });

        Assert.False(publishedInside);
        Assert.Equal(["inner", "outer"], published);
    }

    [Fact]
    public void Write_BodyThrows_PublishesNothing()
    {
        using var database = Open();
        bool published = false;

        Assert.Throws<InvalidInputException>(() => database.Write(() =>
        {
            database.AfterCommit(() => published = true);
            throw new InvalidInputException("refused");
        }));

        Assert.False(published);
        Assert.False(database.HadFailedWrite);
    }

    [Fact]
    public void Write_AnActionThrows_TheLaterOnesStillRunAndTheWriterSeesTheError()
    {
        using var database = Open();
        var published = new List<string>();

        var error = Assert.Throws<InvalidOperationException>(() => database.Write(() =>
        {
            database.AfterCommit(() => published.Add("first"));
            database.AfterCommit(() => throw new InvalidOperationException("broken action"));
            database.AfterCommit(() => published.Add("third"));
        }));

        Assert.Equal("broken action", error.Message);
        Assert.Equal(["first", "third"], published);
    }

    [Fact]
    public void AfterCommit_OutsideATransaction_RunsAtOnce()
    {
        using var database = Open();
        bool ran = false, inTransaction = true;

        database.AfterCommit(() => (ran, inTransaction) = (true, database.InTransaction));

        Assert.True(ran);
        Assert.False(inTransaction);
    }

    /// <summary>
    /// A commit that fails part-way (a full disk) and a rollback that fails after it: LiteDB keeps that transaction
    /// undisposed. Once the store is disposed and dropped and the writing thread has ended, nothing but the store's
    /// own guard keeps the transaction from its finaliser, which would throw on the finaliser thread and end this
    /// process here: that crash is what this test would show.
    /// </summary>
    [Fact]
    public void Write_CommitAndRollbackFailOnAFullDisk_FaultsTheStoreAndTheProcessOutlivesTheAbandonedTransaction()
    {
        Exception? failed = null, refused = null;
        var writer = new Thread(() =>
        {
            var log = new FullDiskLog();
            var database = new DeviseDatabase(new MemoryStream(), log);
            var items = database.Collection<BsonDocument>("items");
            database.Write(() => items.Insert(new BsonDocument { ["_id"] = 1, ["v"] = "x" }));
            failed = Record.Exception(() => database.Write(() =>
            {
                items.Update(new BsonDocument { ["_id"] = 1, ["v"] = "y" });
                log.Full = true;
            }));
            refused = Record.Exception(() => database.Write(() => items.Insert(new BsonDocument { ["_id"] = 2 })));
            database.Dispose();
        });
        writer.Start();
        writer.Join();

        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.IsType<IOException>(failed);
        Assert.IsType<StoreFaultedException>(refused);
    }

    /// <summary>Storage/README.md reasons about LiteDB 5.0.21's transaction finaliser: a new version must be read again.</summary>
    [Fact]
    public void LiteDb_Package_IsTheVersionTheFinaliserReasoningIsAbout()
    {
        Assert.Equal(new Version(5, 0, 21, 0), typeof(LiteDatabase).Assembly.GetName().Version);
    }

    public void Dispose() => TestData.DeleteQuietly(_directory);
}

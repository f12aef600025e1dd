using DeviseWeb.Engine.Jobs;
using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// The data directory's LiteDB file, opened once per process. Writes go through <see cref="Write{T}"/>: one
/// writer at a time under the store's lock, one transaction per call, and nested calls on the same thread join the
/// outer transaction, so an image record, its vectors and its label count commit together or not at all. In-memory
/// state that mirrors a write (an index, a cache) changes in <see cref="AfterCommit"/> actions, so it never shows what
/// was rolled back; they run right after the commit, before the lock is released, so they are published in commit
/// order and every later writer (and the caller, once <c>Write</c> returns) sees them. The whole protocol, its lock
/// order and what a crash leaves: Storage/README.md.
/// </summary>
public sealed class DeviseDatabase : IDisposable
{
    /// <summary>
    /// Databases whose rollback failed, kept reachable until the process ends. LiteDB 5.0.21 then keeps the transaction
    /// registered and undisposed (closing the engine does not dispose it either); once the engine is dropped and the
    /// writing thread has ended, its finaliser discards its pages again, fails LiteDB's own check on the finaliser
    /// thread, and that ends the process. Reachable, it is never finalised. Costs a few pages per failure, and a
    /// failure already means a restart. Storage/README.md has the details.
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentBag<LiteDatabase> Faulted = [];

    private readonly object _writeLock = new();
    private List<Action>? _afterCommit; // non-null while a transaction is open; touched only under _writeLock
    private List<Action>? _onRollback; // likewise
    private StoreFaultedException? _fault;

    /// <summary>
    /// LiteDB pages (8 KB) that all open transactions together may hold in memory before a large one writes its pages
    /// to the log early (<see cref="LiteDbMemoryCap"/>): 32 MB, a few times what a search's reads and an upload's write
    /// hold at once, so those never write early.
    /// </summary>
    public const int TransactionPageBudget = 4_000;

    public DeviseDatabase(string path) : this(path, TransactionPageBudget) { }

    internal DeviseDatabase(string path, int transactionPageBudget)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        Lite = new LiteDatabase(new ConnectionString { Filename = Path, Connection = ConnectionType.Direct }, Mapper());
        TransactionMemoryCapped = LiteDbMemoryCap.Apply(Lite, transactionPageBudget);
    }

    /// <summary>A store over streams instead of files: tests give it a log whose writes fail as a full disk's do.</summary>
    internal DeviseDatabase(Stream data, Stream log, int transactionPageBudget = TransactionPageBudget)
    {
        Path = "(streams)";
        Lite = new LiteDatabase(data, Mapper(), log);
        TransactionMemoryCapped = LiteDbMemoryCap.Apply(Lite, transactionPageBudget);
    }

    /// <summary>Whether the transaction page budget holds (LiteDB's internals were as expected).</summary>
    internal bool TransactionMemoryCapped { get; }

    /// <summary>Pages (8 KB) LiteDB's page cache has taken from the heap so far; it never gives them back.</summary>
    internal long CachePages => LiteDbMemoryCap.CachePages(Lite);

    public string Path { get; }

    internal LiteDatabase Lite { get; }

    internal ILiteCollection<T> Collection<T>(string name) => Lite.GetCollection<T>(name);

    /// <summary>
    /// True once a write in this process failed for a reason other than a refused request (a full disk, a crash of
    /// the storage layer). Files written beside a failed transaction (an original)
    /// may then have no record, so the store is closed as if by a crash and the next open sweeps.
    /// </summary>
    public bool HadFailedWrite { get; private set; }

    /// <summary>Why the store refuses writes until a restart (a write failed so LiteDB could not roll it back); null while it serves.</summary>
    public StoreFaultedException? Fault => Volatile.Read(ref _fault);

    /// <summary>True on the thread that has a transaction open.</summary>
    public bool InTransaction => Monitor.IsEntered(_writeLock) && _afterCommit is not null;

    public void Write(Action body) => Write(() => { body(); return 0; });

    /// <summary>
    /// Runs <paramref name="body"/> holding the write lock, outside any transaction, after moving every committed page
    /// from LiteDB's log into its data file: while it runs nothing commits, so devise.db can be copied whole.
    /// </summary>
    internal void Quiesced(Action body)
    {
        lock (_writeLock)
        {
            if (_fault is not null) throw _fault;
            Lite.Checkpoint();
            body();
        }
    }

    public T Write<T>(Func<T> body)
    {
        EnterWriteLock();
        try
        {
            if (_afterCommit is not null) return body();
            if (_fault is not null) throw _fault;
            if (!Lite.BeginTrans()) throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
            _afterCommit = [];
            _onRollback = [];
            T result;
            try
            {
                result = body();
                Lite.Commit();
            }
            catch (Exception e)
            {
                _afterCommit = null;
                var undo = _onRollback;
                _onRollback = null;
                if (e is not DeviseException) HadFailedWrite = true; // a refused request wrote no file
                // A rollback after a failed disk write (ENOSPC) can itself throw, and then leaves LiteDB's collection
                // locks held: later writes would wait forever. They fail at once instead; the caller sees the first error.
                try { Lite.Rollback(); }
                catch (Exception rollback)
                {
                    Faulted.Add(Lite);
                    _fault = new StoreFaultedException(
                        $"The data store could not undo a failed write ({e.Message}) and takes no more writes until DeviseWeb restarts; " +
                        "everything committed before is intact.", rollback);
                }
                Undo(undo);
                throw;
            }
            var actions = _afterCommit;
            _afterCommit = null;
            _onRollback = null;
            if (actions.Count > 0) FaultPoints.Hit(FaultPoints.WriteCommitted);
            Publish(actions);
            return result;
        }
        finally
        {
            Monitor.Exit(_writeLock);
        }
    }

    /// <summary>
    /// Runs the action when the transaction open on this thread commits, in commit order and under the store's lock;
    /// with none open, at once under that lock (so after every commit before it). An action changes memory only:
    /// it must never wait for another thread (Storage/README.md).
    /// </summary>
    public void AfterCommit(Action action)
    {
        lock (_writeLock)
        {
            if (_afterCommit is null) action();
            else _afterCommit.Add(action);
        }
    }

    /// <summary>
    /// Runs the action if the transaction open on this thread rolls back, after the rollback and under the store's lock,
    /// newest first; with none open, never. For writes to another service (PostgreSQL) that the store's rollback cannot
    /// undo; an action that fails leaves what a crash would, which the next open's sweep cleans.
    /// </summary>
    public void OnRollback(Action action)
    {
        lock (_writeLock) _onRollback?.Add(action);
    }

    private void Undo(List<Action>? actions)
    {
        if (actions is null) return;
        for (int i = actions.Count - 1; i >= 0; i--)
        {
            try { actions[i](); }
            catch (Exception) { HadFailedWrite = true; } // so the next open sweeps, and finishes what this could not
        }
    }

    /// <summary>Every action runs even when one throws (an index left without its change would diverge); the first error is rethrown.</summary>
    private static void Publish(List<Action> actions)
    {
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? first = null;
        foreach (var action in actions)
        {
            try { action(); }
            catch (Exception e) { first ??= System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
        }
        first?.Throw();
    }

    private void EnterWriteLock()
    {
        if (Monitor.TryEnter(_writeLock)) return;
        FaultPoints.Hit(FaultPoints.WriteLockContended);
        Monitor.Enter(_writeLock);
    }

    private static BsonMapper Mapper()
    {
        var mapper = new BsonMapper();
        mapper.Entity<ImageRecord>().Id(x => x.Id, autoId: false);
        mapper.Entity<ModelRecord>().Id(x => x.Id);
        mapper.Entity<LabelRecord>().Id(x => x.Label, autoId: false);
        mapper.Entity<JobRecord>().Id(x => x.Id, autoId: false);
        return mapper;
    }

    public void Dispose()
    {
        lock (_writeLock) Lite.Dispose(); // after any write in flight
    }
}

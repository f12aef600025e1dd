using DeviseWeb.Engine.Jobs;
using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// The data directory's LiteDB file, opened once per process. Writes go through <see cref="Write{T}"/>: one
/// writer at a time, one transaction per call, and nested calls on the same thread join the outer transaction,
/// so an image record, its vectors and its label count commit together or not at all. In-memory state that
/// mirrors a write (an index, a cache) changes in <see cref="AfterCommit"/>, so it never shows what was rolled back;
/// those actions run after the lock is released, in commit order per writer.
/// </summary>
public sealed class DeviseDatabase : IDisposable
{
    private readonly object _writeLock = new();
    private List<Action>? _afterCommit; // non-null while a transaction is open; touched only under _writeLock
    private StoreFaultedException? _fault;

    public DeviseDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        Lite = new LiteDatabase(new ConnectionString { Filename = Path, Connection = ConnectionType.Direct }, Mapper());
    }

    public string Path { get; }

    internal LiteDatabase Lite { get; }

    internal ILiteCollection<T> Collection<T>(string name) => Lite.GetCollection<T>(name);

    /// <summary>
    /// True once a write in this process failed for a reason other than a refused request (a full disk, a crash of
    /// the storage layer). Files written beside a failed transaction (an original)
    /// may then have no record, so the store is closed as if by a crash and the next open sweeps.
    /// </summary>
    public bool HadFailedWrite { get; private set; }

    /// <summary>
    /// LiteDB 5.0.21 keeps a transaction whose rollback failed registered, and its finaliser repeats the failed
    /// rollback on the finaliser thread, where the exception ends the process (seen in a full test run). The store
    /// is faulted by then and never touches them again, so their finalisers are switched off. Reflection over
    /// LiteDB's private fields, pinned to the exact version in Directory.Packages.props; when they are not found the
    /// risk is only the one described.
    /// </summary>
    private void AbandonStuckTransactions()
    {
        const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        try
        {
            var engine = typeof(LiteDatabase).GetField("_engine", Private)?.GetValue(Lite);
            var monitor = engine?.GetType().GetField("_monitor", Private)?.GetValue(engine);
            if (monitor?.GetType().GetField("_transactions", Private)?.GetValue(monitor) is not System.Collections.IDictionary transactions) return;
            foreach (var transaction in transactions.Values) GC.SuppressFinalize(transaction!);
        }
        catch (Exception e) when (e is System.Reflection.TargetException or FieldAccessException or InvalidOperationException) { }
    }

    /// <summary>True on the thread that has a transaction open.</summary>
    public bool InTransaction => Monitor.IsEntered(_writeLock) && _afterCommit is not null;

    public void Write(Action body) => Write(() => { body(); return 0; });

    public T Write<T>(Func<T> body)
    {
        T result;
        List<Action> actions;
        EnterWriteLock();
        try
        {
            if (_afterCommit is not null) return body();
            if (_fault is not null) throw _fault;
            if (!Lite.BeginTrans()) throw new InvalidOperationException("A LiteDB transaction is already open on this thread.");
            _afterCommit = [];
            try
            {
                result = body();
                Lite.Commit();
            }
            catch (Exception e)
            {
                _afterCommit = null;
                if (e is not DeviseException) HadFailedWrite = true; // a refused request wrote no file
                // A rollback after a failed disk write (ENOSPC) can itself throw, and then leaves LiteDB's collection
                // locks held: later writes would wait forever. They fail at once instead; the caller sees the first error.
                try { Lite.Rollback(); }
                catch (Exception rollback)
                {
                    AbandonStuckTransactions();
                    _fault = new StoreFaultedException(
                        $"The data store could not undo a failed write ({e.Message}) and takes no more writes until DeviseWeb restarts; " +
                        "everything committed before is intact.", rollback);
                }
                throw;
            }
            actions = _afterCommit;
            _afterCommit = null;
        }
        finally
        {
            Monitor.Exit(_writeLock);
        }
        if (actions.Count > 0) FaultPoints.Hit(FaultPoints.WriteCommitted);
        // Outside the lock: an action may publish into an index whose own worker is waiting to write here.
        foreach (var action in actions) action();
        return result;
    }

    private void EnterWriteLock()
    {
        if (Monitor.TryEnter(_writeLock)) return;
        FaultPoints.Hit(FaultPoints.WriteLockContended);
        Monitor.Enter(_writeLock);
    }

    /// <summary>Runs the action once the current transaction commits, or now when none is open on this thread.</summary>
    public void AfterCommit(Action action)
    {
        lock (_writeLock)
        {
            if (_afterCommit is null) action();
            else _afterCommit.Add(action);
        }
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

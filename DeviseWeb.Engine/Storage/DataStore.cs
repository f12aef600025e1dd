namespace DeviseWeb.Engine.Storage;

/// <summary>
/// Opens a data directory for this process: takes its lock, opens the database and brings an older layout up to
/// date. Disposed last, after every service that writes through it.
/// </summary>
public sealed class DataStore : IDisposable
{
    private readonly DataDirectoryLock _lock;

    public DataStore(EngineOptions options)
    {
        _lock = DataDirectoryLock.Acquire(options.DataDirectory);
        try
        {
            Database = new DeviseDatabase(options.DatabasePath);
            LegacyMigration.Run(Database);
            // Before any index opens: a file no column lists was left by a crash between writing and committing it.
            new VectorColumnStore(Database, options.DataDirectory).DeleteOrphanSegmentFiles();
        }
        catch
        {
            _lock.Dispose();
            throw;
        }
    }

    public DeviseDatabase Database { get; }

    public void Dispose()
    {
        Database.Dispose();
        _lock.Dispose();
    }
}

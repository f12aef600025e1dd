using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// Opens a data directory for this process: takes its lock, opens the database, brings an older layout up to
/// date and cleans up after a crash (<see cref="StoreSweep"/>). Disposed last, after every service that writes through it.
/// </summary>
public sealed class DataStore : IDisposable
{
    private const int ListedIds = 20;
    private readonly DataDirectoryLock _lock;

    public DataStore(EngineOptions options, ILogger<DataStore>? logger = null)
    {
        logger ??= NullLogger<DataStore>.Instance;
        _lock = DataDirectoryLock.Acquire(options.DataDirectory);
        try
        {
            Database = new DeviseDatabase(options.DatabasePath);
            LegacyMigration.Run(Database, options.DataDirectory);
            // Before any index opens: a file no column lists was left by a crash between writing and committing it.
            int segments = new VectorColumnStore(Database, options.DataDirectory).DeleteOrphanSegmentFiles();
            // The sweep reads every record and lists every original: seconds at a million images, so it runs only
            // when the last process to hold the directory did not close it (a crash, a kill, or an older release).
            _closedMarker = Path.Combine(options.DataDirectory, ClosedMarkerName);
            bool closedCleanly = ClosedCleanly = File.Exists(_closedMarker);
            File.Delete(_closedMarker);
            Sweep = closedCleanly ? StoreSweepResult.Empty : StoreSweep.Run(Database, options);
            Report(logger, segments, Sweep);
        }
        catch
        {
            Database?.Dispose();
            _lock.Dispose();
            throw;
        }
    }

    /// <summary>Written when the store is closed after its last write; a directory without it was left by a crash.</summary>
    public const string ClosedMarkerName = "devise.closed";

    private readonly string _closedMarker;

    public DeviseDatabase Database { get; }

    /// <summary>Whether the last process to hold the directory closed it after its last write (else a crash or a kill).</summary>
    public bool ClosedCleanly { get; }

    /// <summary>What opening the directory cleaned up, and the images it found without an intact original.</summary>
    public StoreSweepResult Sweep { get; }

    private static void Report(ILogger logger, int segments, StoreSweepResult sweep)
    {
        if (segments > 0) logger.LogWarning("Deleted {Count} vector segment files no column lists (left by a crash)", segments);
        if (sweep.TemporaryFiles.Count > 0) logger.LogWarning("Deleted {Count} temporary files left by a crash", sweep.TemporaryFiles.Count);
        if (sweep.OrphanOriginals.Count > 0) logger.LogWarning("Deleted {Count} original files no image uses (left by a crash)", sweep.OrphanOriginals.Count);
        if (sweep.MissingOriginals.Count > 0)
            logger.LogWarning("{Count} images have no original file (ids {Ids}); run 'verify --repair' to drop them",
                sweep.MissingOriginals.Count, string.Join(", ", sweep.MissingOriginals.Take(ListedIds)));
        if (sweep.DamagedOriginals.Count > 0)
            logger.LogWarning("{Count} images have an original of the wrong size (ids {Ids}); run 'verify --repair' to drop them",
                sweep.DamagedOriginals.Count, string.Join(", ", sweep.DamagedOriginals.Take(ListedIds)));
    }

    public void Dispose()
    {
        Database.Dispose();
        try { if (!Database.HadFailedWrite) File.WriteAllBytes(_closedMarker, []); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the next open sweeps instead
        _lock.Dispose();
    }
}

using DeviseWeb.Engine.Search.Index;
using DeviseWeb.Engine.Search.Index.Pgvector;
using Microsoft.Extensions.Logging;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// Opens the index of each vector column where <see cref="IndexSettings.Provider"/> says vectors live: segment files
/// in the data directory (<see cref="InProcessVectorIndex"/>) or PostgreSQL tables (<see cref="PgvectorIndex"/>). Either
/// way the catalogue, and the list of columns, stay in the store. With PostgreSQL, the first open also sweeps what a
/// crash between the two stores left there: tables no column lists, and (after an unclean close) rows of images the
/// catalogue does not hold.
/// </summary>
public sealed class VectorIndexes : IDisposable
{
    private readonly VectorColumnStore _columns;
    private readonly DataStore _store;
    private readonly ImageRepository _images;
    private readonly ILogger<VectorIndexes> _logger;
    private readonly PgvectorDatabase? _postgres;
    private readonly Lock _sweepLock = new();
    private bool _swept;

    public VectorIndexes(EngineOptions options, VectorColumnStore columns, DataStore store, ImageRepository images, ILogger<VectorIndexes> logger)
    {
        _columns = columns;
        _store = store;
        _images = images;
        _logger = logger;
        Provider = options.Index.Provider;
        if (Provider == IndexProvider.Pgvector) _postgres = new PgvectorDatabase(options.Index);
    }

    public IndexProvider Provider { get; }

    /// <summary>Where the vectors live, in words: "in process" or "PostgreSQL at host:port/db (schema devise)".</summary>
    public string Location => _postgres is null ? "in process" : $"PostgreSQL at {_postgres.Server} (schema {_postgres.Schema})";

    /// <summary>Opens a column's index (inside the caller's store transaction, if one is open).</summary>
    public IVectorIndex Open(IVectorColumn column, VectorIndexOptions options)
    {
        if (_postgres is null) return InProcessVectorIndex.Open(column, options);
        return PgvectorIndex.Open(_postgres, column, prepare: Sweep);
    }

    /// <summary>
    /// Throws <see cref="IndexUnavailableException"/> when the vectors' service does not answer: a write checks first,
    /// so it is refused before anything is written. In process, always available.
    /// </summary>
    public void EnsureAvailable() => _postgres?.Ping();

    /// <summary>
    /// Whether a column holds any row where its vectors live: segment files or tail rows, and with PostgreSQL also its
    /// table (a column whose vectors are all in PostgreSQL has neither files nor tail rows).
    /// </summary>
    public bool HasRows(string column)
    {
        if (_columns.HasRows(column)) return true;
        if (_postgres is null) return false;
        string table = PgvectorDatabase.TableNameOf(column);
        if (!_postgres.Tables().Contains(table)) return false;
        return _postgres.Run($"reading {table}", source =>
        {
            using var command = source.CreateCommand($"SELECT EXISTS (SELECT 1 FROM {_postgres.Qualified(table)})");
            return (bool)command.ExecuteScalar()!;
        });
    }

    /// <summary>
    /// Writes a new column's vectors whole, before the commit that creates the column (a new model version): segment
    /// files, or a staging table. <see cref="PendingColumn.Commit"/> (inside that transaction) makes them the column's;
    /// <see cref="PendingColumn.Discard"/> deletes them when it does not happen.
    /// </summary>
    public PendingColumn WriteNew(string name, int dimension, bool quantized, IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors, int sealRows,
        Action<int>? rowsDone, CancellationToken cancellationToken)
    {
        if (_postgres is null)
            return new SegmentFiles(ColumnBulkWriter.WriteSegmentFiles(_columns.SegmentDirectoryOf(name), dimension, quantized, ids, vectors, sealRows,
                rowsDone, cancellationToken));
        Sweep();
        var stage = PgvectorDatabase.NewStageName();
        try
        {
            PgvectorIndex.CreateTable(_postgres, stage, dimension);
            PgvectorIndex.Insert(_postgres, stage, ids, vectors, _postgres.Settings.WriteBatchRows, $"writing {name}", upsert: false, rowsDone, cancellationToken);
            PgvectorIndex.MatchHnsw(_postgres, stage);
            return new StagedTable(_postgres, stage, PgvectorDatabase.TableNameOf(name));
        }
        catch
        {
            try { _postgres.DropTable(stage); }
            catch (IndexUnavailableException) { } // the next open's sweep drops it
            throw;
        }
    }

    /// <summary>
    /// Once per process, before the first index opens: what a crash between the two stores left in PostgreSQL. Under
    /// the store's lock, so no write is between its two stores while the catalogue is compared with the tables.
    /// </summary>
    private void Sweep() => _store.Database.Write(() =>
    {
        lock (_sweepLock)
        {
            if (_swept) return;
            var columns = _columns.ColumnNames().ToDictionary(PgvectorDatabase.TableNameOf, n => n, StringComparer.Ordinal);
            int dropped = 0;
            foreach (var table in _postgres!.Tables().Where(t => !columns.ContainsKey(t)))
            {
                _postgres.DropTable(table);
                dropped++;
            }
            if (dropped > 0) _logger.LogWarning("Dropped {Count} PostgreSQL vector tables no column lists (left by a crash or a failed training run)", dropped);
            if (!_store.ClosedCleanly)
            {
                var catalogue = _images.IdsAndLabels().Select(p => p.Id).ToArray();
                var present = _postgres.Tables().ToHashSet(StringComparer.Ordinal);
                foreach (var (table, column) in columns.Where(c => present.Contains(c.Key)))
                {
                    int orphans = _postgres.Execute($"DELETE FROM {_postgres.Qualified(table)} WHERE NOT (id = ANY($1))", $"sweeping {column}", catalogue);
                    if (orphans > 0) _logger.LogWarning("Deleted {Count} rows of {Column} in PostgreSQL for images the catalogue does not hold (left by a crash)", orphans, column);
                }
            }
            _swept = true;
        }
    });

    public void Dispose() => _postgres?.Dispose();

    private sealed class SegmentFiles(IReadOnlyList<string> files) : PendingColumn
    {
        public override void Commit(IVectorColumn column) => ColumnBulkWriter.Commit(column, files);

        public override void Discard() => ColumnBulkWriter.Delete(files);
    }

    private sealed class StagedTable(PgvectorDatabase postgres, string stage, string table) : PendingColumn
    {
        private bool _committed;

        public override void Commit(IVectorColumn column)
        {
            postgres.Execute($"DROP TABLE IF EXISTS {postgres.Qualified(table)}; ALTER TABLE {postgres.Qualified(stage)} RENAME TO \"{table}\"; "
                + $"ALTER INDEX IF EXISTS \"{postgres.Schema}\".\"{stage}_hnsw\" RENAME TO \"{table}_hnsw\"", $"committing {column.Name}");
            _committed = true;
            // The store's transaction may still roll back: then the table goes, as a crash's would go in the sweep.
            column.OnRolledBack(() => postgres.DropTable(table));
        }

        public override void Discard()
        {
            if (_committed) return;
            try { postgres.DropTable(stage); }
            catch (IndexUnavailableException) { } // the next open's sweep drops it
        }
    }
}

/// <summary>A new column's vectors, written and not yet committed (<see cref="VectorIndexes.WriteNew"/>).</summary>
public abstract class PendingColumn
{
    /// <summary>Makes the vectors the column's, inside the store transaction that creates it.</summary>
    public abstract void Commit(IVectorColumn column);

    /// <summary>Deletes what was written, when the commit did not happen.</summary>
    public abstract void Discard();
}

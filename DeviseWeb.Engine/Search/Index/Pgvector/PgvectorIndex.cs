using Npgsql;

namespace DeviseWeb.Engine.Search.Index.Pgvector;

/// <summary>
/// The vectors of one column in a PostgreSQL table with pgvector: <c>(id integer primary key, v vector(N))</c>, unit
/// vectors, cosine distance. Exact by default (a scan: no index on <c>v</c>); with <see cref="IndexSettings.Hnsw"/> an
/// HNSW index answers, searched with <see cref="IndexSettings.EfSearch"/> candidates.
/// <para>
/// Over a store column, a write goes to PostgreSQL first, inside the caller's store transaction and under the store's
/// lock: if PostgreSQL refuses, the transaction rolls back and nothing changed anywhere; if the store's transaction
/// rolls back after, the row is put back as it was (<see cref="IVectorColumn.OnRolledBack"/>); a crash between the two
/// leaves a row of an image the catalogue never got, which the sweep on the next open deletes (<see cref="Storage.VectorIndexes"/>).
/// A removal is also recorded in the store's removed set (every column's), and each table drops those ids when it opens.
/// Searches read whatever PostgreSQL has committed: a row can be seen a moment before its catalogue record commits, and
/// the search service leaves out hits it finds no record for.
/// </para>
/// </summary>
public sealed class PgvectorIndex : IVectorIndex
{
    private readonly PgvectorDatabase _database;
    private readonly IVectorColumn? _column;
    private readonly string _table;
    private readonly Lock _writeLock = new();
    private readonly Lock _openLock = new();
    private readonly Action _open;
    private volatile bool _ready;
    private int _count;
    private int _disposed;

    private PgvectorIndex(PgvectorDatabase database, string table, int dimension, IVectorColumn? column, Action? prepare)
    {
        _database = database;
        _table = table;
        _column = column;
        Dimension = dimension;
        _open = () =>
        {
            prepare?.Invoke();
            bool created = CreateTable(database, table, dimension);
            if (column is not null) Reconcile(database, table, column, created);
            MatchHnsw(database, table);
            _count = CountRows(database, table);
        };
    }

    /// <summary>
    /// The index of a store column, opened on first use, so a store whose PostgreSQL is down still opens (and its
    /// searches answer 503 until it is back). Opening runs <paramref name="prepare"/> (the provider's sweep), creates the
    /// table when missing, drops the rows of ids the store has removed since, and brings the HNSW index in line with
    /// the settings. A column whose vectors are still in process (a store that switched provider) is copied over when
    /// its table is created.
    /// </summary>
    public static PgvectorIndex Open(PgvectorDatabase database, IVectorColumn column, Action? prepare = null) =>
        new(database, PgvectorDatabase.TableNameOf(column.Name), column.Dimension, column, prepare);

    /// <summary>Opens (creating when missing) a table of its own now, with no store around it: writes commit at once (tests, the bench).</summary>
    public static PgvectorIndex OpenTable(PgvectorDatabase database, string name, int dimension)
    {
        var index = new PgvectorIndex(database, PgvectorDatabase.TableNameOf(name), dimension, column: null, prepare: null);
        index.Ready();
        return index;
    }

    public int Dimension { get; }

    /// <summary>Rows in the table, as last known: 0 until PostgreSQL has answered once (never throws: status pages read it).</summary>
    public int Count
    {
        get
        {
            if (!_ready)
                try { Ready(); }
                catch (IndexUnavailableException) { return 0; }
            return Volatile.Read(ref _count);
        }
    }

    /// <summary>The vectors live in PostgreSQL: none in this process.</summary>
    public long VectorBytes => 0;

    /// <summary>The table's name in its schema.</summary>
    public string Table => _table;

    public bool Contains(int id) => Get(id) is not null;

    public float[]? Get(int id) => GetMany([id])[0];

    public float[]?[] GetMany(IReadOnlyList<int> ids)
    {
        ThrowIfDisposed();
        Ready();
        var result = new float[]?[ids.Count];
        if (ids.Count == 0) return result;
        var at = new Dictionary<int, List<int>>(ids.Count);
        for (int i = 0; i < ids.Count; i++)
        {
            if (!at.TryGetValue(ids[i], out var places)) at[ids[i]] = places = [];
            places.Add(i);
        }
        return _database.Run("reading vectors", source =>
        {
            using var command = _database.Command(source, $"SELECT id, v FROM {Qualified} WHERE id = ANY($1)", at.Keys.ToArray());
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var vector = reader.GetFieldValue<global::Pgvector.Vector>(1).ToArray();
                var places = at[reader.GetInt32(0)];
                result[places[0]] = vector;
                for (int i = 1; i < places.Count; i++) result[places[i]] = [.. vector]; // an id asked for twice: a copy each
            }
            return result;
        });
    }

    public bool[] ContainsMany(IReadOnlyList<int> ids)
    {
        ThrowIfDisposed();
        Ready();
        if (ids.Count == 0) return [];
        var present = _database.Run("reading ids", source =>
        {
            using var command = _database.Command(source, $"SELECT id FROM {Qualified} WHERE id = ANY($1)", ids.Distinct().ToArray());
            using var reader = command.ExecuteReader();
            var found = new HashSet<int>();
            while (reader.Read()) found.Add(reader.GetInt32(0));
            return found;
        });
        return ids.Select(present.Contains).ToArray();
    }

    public IReadOnlyList<int> Ids()
    {
        ThrowIfDisposed();
        Ready();
        return _database.Run("listing ids", source =>
        {
            using var command = _database.Command(source, $"SELECT id FROM {Qualified} ORDER BY id");
            using var reader = command.ExecuteReader();
            var ids = new List<int>(Count);
            while (reader.Read()) ids.Add(reader.GetInt32(0));
            return (IReadOnlyList<int>)ids;
        });
    }

    public void Add(int id, ReadOnlySpan<float> vector)
    {
        ThrowIfDisposed();
        if (vector.Length != Dimension) throw new ArgumentException($"Vector has {vector.Length} values, the index {Dimension}.", nameof(vector));
        var unit = VectorMath.Normalized(vector);
        Write(() =>
        {
            // The row as it was, read in the same statement as the upsert, so a rollback of the store can put it back.
            var previous = _database.Run("adding a vector", source =>
            {
                using var command = _database.Command(source,
                    $"WITH old AS (SELECT v FROM {Qualified} WHERE id = $1), up AS (INSERT INTO {Qualified} (id, v) VALUES ($1, $2) "
                    + "ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v) SELECT v FROM old", id, new global::Pgvector.Vector(unit));
                return command.ExecuteScalar() is global::Pgvector.Vector old ? old.ToArray() : null;
            });
            if (previous is null) Interlocked.Increment(ref _count);
            _column?.OnRolledBack(() => Restore(id, previous));
        });
    }

    /// <summary>Adds many rows in a few statements (ids unique; replaces rows of ids already there). Without a store around it only.</summary>
    public void AddMany(IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors)
    {
        ThrowIfDisposed();
        if (_column is not null) throw new InvalidOperationException("A store column's index takes rows one by one, in the store's transaction.");
        Ready();
        int added = Insert(_database, _table, ids, vectors, _database.Settings.WriteBatchRows, "adding vectors", upsert: true);
        Interlocked.Add(ref _count, added);
    }

    public bool Remove(int id)
    {
        ThrowIfDisposed();
        bool removed = false;
        Write(() =>
        {
            var previous = _database.Run("removing a vector", source =>
            {
                using var command = _database.Command(source, $"DELETE FROM {Qualified} WHERE id = $1 RETURNING v", id);
                return command.ExecuteScalar() is global::Pgvector.Vector old ? old.ToArray() : null;
            });
            if (previous is null) return;
            removed = true;
            Interlocked.Decrement(ref _count);
            if (_column is null) return;
            _column.OnRolledBack(() => Restore(id, null, previous));
            _column.Remove(id, static () => { });
        });
        return removed;
    }

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, VectorSearchOptions? options = null)
    {
        if (query.Length != Dimension) throw new ArgumentException($"Query has {query.Length} values, the index {Dimension}.", nameof(query));
        return SearchBatch([query.ToArray()], k, options)[0];
    }

    public IReadOnlyList<IReadOnlyList<VectorHit>> SearchBatch(IReadOnlyList<float[]> queries, int k, VectorSearchOptions? options = null)
    {
        ThrowIfDisposed();
        foreach (var query in queries)
            if (query.Length != Dimension) throw new ArgumentException($"A query has {query.Length} values, the index {Dimension}.", nameof(queries));
        if (k <= 0 || queries.Count == 0) return queries.Select(_ => (IReadOnlyList<VectorHit>)[]).ToArray();
        Ready();
        options ??= VectorSearchOptions.None;
        var exclude = options.Exclude is { Count: > 0 } set ? set.ToArray() : null;
        string where = exclude is null ? "" : "WHERE id <> ALL($3) ";
        string sql = $"SELECT id, (1 - (v <=> $1))::real FROM {Qualified} {where}ORDER BY v <=> $1 LIMIT $2";
        return _database.Run("searching", source =>
        {
            using var batch = _database.Batch(source);
            bool hnsw = _database.Settings.Hnsw;
            if (hnsw)
            {
                // In the same round trip as the searches: a setting made once per connection does not survive the
                // pool's reset of a connection (DISCARD ALL), and on PGlite every connection shares one session.
                batch.BatchCommands.Add(new NpgsqlBatchCommand($"SET hnsw.ef_search = {_database.Settings.EfSearch}"));
                batch.BatchCommands.Add(new NpgsqlBatchCommand("SET hnsw.iterative_scan = strict_order"));
            }
            foreach (var query in queries)
            {
                var command = new NpgsqlBatchCommand(sql);
                command.Parameters.Add(new NpgsqlParameter { Value = new global::Pgvector.Vector(VectorMath.Normalized(query)) });
                command.Parameters.Add(new NpgsqlParameter { Value = k });
                if (exclude is not null) command.Parameters.Add(new NpgsqlParameter { Value = exclude });
                batch.BatchCommands.Add(command);
            }
            using var reader = batch.ExecuteReader();
            var results = new List<IReadOnlyList<VectorHit>>(queries.Count);
            for (int q = 0; q < queries.Count; q++)
            {
                if (q > 0 && !reader.NextResult()) throw new InvalidOperationException("PostgreSQL answered fewer searches than were sent.");
                var hits = new List<VectorHit>(k);
                while (reader.Read())
                {
                    float score = reader.GetFloat(1);
                    if (score >= options.MinScore) hits.Add(new VectorHit(reader.GetInt32(0), score));
                }
                results.Add(hits);
            }
            return (IReadOnlyList<IReadOnlyList<VectorHit>>)results;
        });
    }

    /// <summary>VACUUM: PostgreSQL's way to give back the space of deleted rows (and, with HNSW, their graph entries).</summary>
    public Task CompactAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return Task.Run(() =>
        {
            Ready();
            _database.Execute($"VACUUM {Qualified}", "compacting");
        }, cancellationToken);
    }

    public void Dispose() => Interlocked.Exchange(ref _disposed, 1);

    private string Qualified => _database.Qualified(_table);

    /// <summary>
    /// Opens the table on first use (again after a failed try). Over a store column, under the store's lock first (the
    /// order every writer takes them in): the sweep compares the catalogue with the tables, and a writer already holding
    /// the store's lock may be the one opening.
    /// </summary>
    private void Ready()
    {
        if (_ready) return;
        if (_column is null) OpenOnce();
        else _column.Exclusively(OpenOnce);
    }

    private void OpenOnce()
    {
        lock (_openLock)
        {
            if (_ready) return;
            _open();
            _ready = true;
        }
    }

    private static void Reconcile(PgvectorDatabase database, string table, IVectorColumn column, bool created)
    {
        var contents = column.Load();
        if (created && (contents.SegmentPaths.Count > 0 || contents.Tail.Count > 0)) CopyInProcessRows(database, table, column, contents.Tail.Count);
        if (contents.Removed.Count > 0)
            database.Execute($"DELETE FROM {database.Qualified(table)} WHERE id = ANY($1)", $"opening {column.Name}", contents.Removed.ToArray());
    }

    /// <summary>One write at a time, under the store's lock when there is a store (the order every writer takes them in).</summary>
    private void Write(Action body)
    {
        Ready();
        if (_column is null)
        {
            lock (_writeLock) body();
            return;
        }
        _column.Exclusively(() =>
        {
            lock (_writeLock) body();
        });
    }

    /// <summary>Undoes a write the store rolled back: the row as it was before (<paramref name="was"/>), or none.</summary>
    private void Restore(int id, float[]? was, float[]? removed = null)
    {
        lock (_writeLock)
        {
            if (removed is not null)
            {
                _database.Execute($"INSERT INTO {Qualified} (id, v) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING", "undoing a removal", id,
                    new global::Pgvector.Vector(removed));
                Interlocked.Increment(ref _count);
            }
            else if (was is not null)
                _database.Execute($"UPDATE {Qualified} SET v = $2 WHERE id = $1", "undoing a replacement", id, new global::Pgvector.Vector(was));
            else if (_database.Execute($"DELETE FROM {Qualified} WHERE id = $1", "undoing an add", id) > 0)
                Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Creates the table unless it exists; true when this call created it.</summary>
    internal static bool CreateTable(PgvectorDatabase database, string table, int dimension) => database.Run("creating a table", source =>
    {
        using (var exists = database.Command(source, "SELECT to_regclass($1) IS NOT NULL", database.Qualified(table)))
            if ((bool)exists.ExecuteScalar()!) return false;
        using var create = database.Command(source, $"CREATE TABLE IF NOT EXISTS {database.Qualified(table)} (id integer PRIMARY KEY, v vector({dimension}) NOT NULL)");
        create.ExecuteNonQuery();
        return true;
    });

    /// <summary>An HNSW index on the table exactly when the settings ask for one (else a leftover would make searches approximate).</summary>
    internal static void MatchHnsw(PgvectorDatabase database, string table)
    {
        string index = $"\"{database.Schema}\".\"{table}_hnsw\"";
        if (database.Settings.Hnsw)
            database.Execute($"CREATE INDEX IF NOT EXISTS \"{table}_hnsw\" ON {database.Qualified(table)} USING hnsw (v vector_cosine_ops)", "building the HNSW index");
        else database.Execute($"DROP INDEX IF EXISTS {index}", "dropping the HNSW index");
    }

    private static int CountRows(PgvectorDatabase database, string table) => database.Run("counting rows", source =>
    {
        using var command = database.Command(source, $"SELECT count(*)::integer FROM {database.Qualified(table)}");
        return (int)command.ExecuteScalar()!;
    });

    /// <summary>
    /// Writes rows in statements of <paramref name="batchRows"/> (arrays unnested on the server: one round trip per batch;
    /// PGlite's server does not take COPY); returns how many rows were new. <paramref name="rowsDone"/> hears the rows sent so far.
    /// </summary>
    internal static int Insert(PgvectorDatabase database, string table, IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors, int batchRows,
        string what, bool upsert, Action<int>? rowsDone = null, CancellationToken cancellationToken = default)
    {
        if (ids.Count != vectors.Count) throw new ArgumentException("One vector per id.", nameof(vectors));
        string conflict = upsert ? " ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v" : "";
        string sql = $"WITH rows AS (INSERT INTO {database.Qualified(table)} (id, v) SELECT * FROM unnest($1::integer[], $2::vector[]){conflict} "
            + "RETURNING (xmax = 0) AS inserted) SELECT count(*) FILTER (WHERE inserted)::integer FROM rows";
        int added = 0;
        for (int start = 0; start < ids.Count; start += batchRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(batchRows, ids.Count - start);
            var batchIds = new int[count];
            var batchVectors = new global::Pgvector.Vector[count];
            for (int i = 0; i < count; i++)
            {
                batchIds[i] = ids[start + i];
                batchVectors[i] = new global::Pgvector.Vector(VectorMath.Normalized(vectors[start + i]));
            }
            added += database.Run(what, source =>
            {
                using var command = database.Command(source, sql, batchIds, batchVectors);
                return (int)command.ExecuteScalar()!;
            });
            rowsDone?.Invoke(start + count);
        }
        return added;
    }

    /// <summary>A column that kept its vectors in process until now: its live rows, copied into the new table.</summary>
    private static void CopyInProcessRows(PgvectorDatabase database, string table, IVectorColumn column, int tailRows)
    {
        // No seal or compaction may start (a tail short of a seal, no segment past the removed share): this index only
        // reads, and its worker would wait for the store's lock held here.
        var readOnly = new VectorIndexOptions { SealRows = Math.Max(VectorIndexOptions.Default.SealRows, tailRows + 1), CompactRemovedShare = 1 };
        using var local = InProcessVectorIndex.Open(column, readOnly);
        foreach (var chunk in local.Enumerate().Chunk(database.Settings.WriteBatchRows))
            Insert(database, table, chunk.Select(r => r.Id).ToArray(), chunk.Select(r => r.Vector).ToArray(), chunk.Length,
                $"copying {column.Name} into PostgreSQL", upsert: true);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
}

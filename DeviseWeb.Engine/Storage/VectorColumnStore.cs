using DeviseWeb.Engine.Search.Index;
using LiteDB;

namespace DeviseWeb.Engine.Storage;

/// <summary>
/// The store's vector columns: one per backbone's features and one per model version's embeddings. Each column
/// is a manifest record listing immutable segment files under <c>vectors/</c>, plus tail records for rows not yet
/// sealed. Removed image ids are one set for all columns (ids are never reused), purged once compaction has
/// rewritten every segment that held them. Every change commits under the store's lock and publishes in its
/// after-commit actions (Storage/README.md).
/// </summary>
public sealed class VectorColumnStore
{
    private const string SegmentsFolder = "vectors";
    private readonly DeviseDatabase _database;
    private readonly string _dataDirectory;
    private readonly object _removedLock = new();
    private HashSet<int>? _removed;

    public VectorColumnStore(DeviseDatabase database, string dataDirectory)
    {
        _database = database;
        _dataDirectory = Path.GetFullPath(dataDirectory);
        Tail.EnsureIndex(x => x.Column);
        Tail.EnsureIndex(x => x.ImageId);
    }

    private ILiteCollection<VectorColumnRecord> Columns => _database.Collection<VectorColumnRecord>("vector_columns");
    private ILiteCollection<VectorTailRecord> Tail => _database.Collection<VectorTailRecord>("vector_tail");
    private ILiteCollection<RemovedIdRecord> RemovedIds => _database.Collection<RemovedIdRecord>("vector_removed");

    public static string FeaturesColumn(string backbone) => $"features/{backbone}";

    public static string EmbeddingsColumn(int modelId) => $"embeddings/model-{modelId}";

    public bool Exists(string name) => Columns.FindById(name) is not null;

    public IReadOnlyList<string> ColumnNames() => Columns.Query().Select(c => c.Id).ToList();

    /// <summary>The named column, created (empty) when it does not exist yet.</summary>
    public IVectorColumn Open(string name, int dimension, bool quantized)
    {
        var record = Columns.FindById(name);
        if (record is null)
        {
            record = new VectorColumnRecord { Id = name, Dimension = dimension, Quantized = quantized };
            _database.Write(() => Columns.Upsert(record));
        }
        else if (record.Dimension != dimension)
            throw new InvalidOperationException($"Vector column {name} holds {record.Dimension}-d vectors, not {dimension}-d.");
        return new Column(this, name, record.Dimension, record.Quantized);
    }

    /// <summary>
    /// The folder a column's segment files go to, whether or not the column exists yet: a new version's files are written
    /// there before the commit that creates its column (<see cref="ColumnBulkWriter"/>).
    /// </summary>
    public string SegmentDirectoryOf(string name) =>
        Directory.CreateDirectory(Path.Combine(_dataDirectory, SegmentsFolder, FolderOf(name))).FullName;

    /// <summary>Width of an existing column's vectors, or null.</summary>
    public int? DimensionOf(string name) => Columns.FindById(name)?.Dimension;

    /// <summary>Whether the column holds any row, sealed or not (removed ones included until compaction purges them).</summary>
    public bool HasRows(string name) => Columns.FindById(name) is { } record && (record.Segments.Count > 0 || Tail.Exists(Where.Equal(nameof(VectorTailRecord.Column), name)));

    /// <summary>Removed ids as a snapshot.</summary>
    public IReadOnlySet<int> Removed()
    {
        lock (_removedLock)
        {
            _removed ??= RemovedIds.Query().Select(r => r.Id).ToList().ToHashSet();
            return new HashSet<int>(_removed);
        }
    }

    /// <summary>Marks an image id removed from every column (inside the caller's transaction, if any).</summary>
    public void MarkRemoved(int imageId) => _database.Write(() =>
    {
        RemovedIds.Upsert(new RemovedIdRecord { Id = imageId });
        Tail.DeleteMany(t => t.ImageId == imageId);
        _database.AfterCommit(() => { lock (_removedLock) _removed?.Add(imageId); });
    });

    /// <summary>Forgets removed ids that no segment file holds any more (after every column was compacted).</summary>
    public void PurgeRemoved(IReadOnlyCollection<int> ids) => _database.Write(() =>
    {
        foreach (var id in ids) RemovedIds.Delete(id);
        _database.AfterCommit(() => { lock (_removedLock) _removed?.ExceptWith(ids); });
    });

    /// <summary>Deletes a column's records (not its files: their readers delete them when done).</summary>
    public IReadOnlyList<string> Drop(string name) => _database.Write(() =>
    {
        var segments = Columns.FindById(name)?.Segments.Select(FullPath).ToList() ?? [];
        Tail.DeleteMany(t => t.Column == name);
        Columns.Delete(name);
        return (IReadOnlyList<string>)segments;
    });

    /// <summary>
    /// Deletes files under the segment folder that no column lists: left by a crash between writing a segment and
    /// committing it. Call before any index opens (an index's own seal writes a file before committing it).
    /// </summary>
    /// <summary>The segment files every column's manifest lists, relative to the data directory.</summary>
    internal IReadOnlyList<string> ListedSegmentFiles() => Columns.FindAll().SelectMany(c => c.Segments).Distinct(StringComparer.Ordinal).ToList();

    public int DeleteOrphanSegmentFiles()
    {
        var root = Path.Combine(_dataDirectory, SegmentsFolder);
        if (!Directory.Exists(root)) return 0;
        var listed = Columns.FindAll().SelectMany(c => c.Segments).Select(FullPath).ToHashSet(StringComparer.Ordinal);
        int deleted = 0;
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => !listed.Contains(Path.GetFullPath(f))).ToList())
        {
            File.Delete(file);
            deleted++;
        }
        return deleted;
    }

    private string FullPath(string relative) => Path.GetFullPath(Path.Combine(_dataDirectory, relative));

    private string Relative(string path) => Path.GetRelativePath(_dataDirectory, Path.GetFullPath(path));

    private static string FolderOf(string column) =>
        string.Concat(column.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_'));

    private sealed class Column(VectorColumnStore store, string name, int dimension, bool quantized) : IVectorColumn
    {
        public string Name => name;
        public int Dimension => dimension;
        public bool Quantized => quantized;
        public string SegmentDirectory { get; } = store.SegmentDirectoryOf(name);

        public ColumnContents Load()
        {
            var record = store.Columns.FindById(name) ?? throw new InvalidOperationException($"Vector column {name} is gone.");
            var tail = store.Tail.Find(Where.Equal(nameof(VectorTailRecord.Column), name)).OrderBy(t => t.ImageId)
                .Select(t => (t.ImageId, VectorMath.FromBytes(t.Vector))).ToList();
            return new ColumnContents(record.Segments.Select(store.FullPath).ToList(), tail, store.Removed());
        }

        public void Exclusively(Action body) => store._database.Write(body);

        public void OnRolledBack(Action undo) => store._database.OnRollback(undo);

        public void Append(int id, ReadOnlySpan<float> vector, Action onCommitted)
        {
            var bytes = VectorMath.ToBytes(vector);
            store._database.Write(() =>
            {
                // The removed set is every column's: taking an id back would revive its stale rows in other columns'
                // segments on the next open. Ids are never reused, so only a write racing a delete would try it.
                if (store.RemovedIds.FindById(id) is not null)
                    throw new InvalidOperationException($"Image {id} was deleted; vector column {name} does not take it back.");
                store.Tail.Upsert(new VectorTailRecord { Id = VectorTailRecord.KeyOf(name, id), Column = name, ImageId = id, Vector = bytes });
                store._database.AfterCommit(onCommitted);
            });
        }

        public void Remove(int id, Action onCommitted) => store._database.Write(() =>
        {
            store.MarkRemoved(id);
            store._database.AfterCommit(onCommitted);
        });

        public void CommitSegment(string? path, IReadOnlyList<string> replacesSegments, IReadOnlyList<int> sealedTailIds) => store._database.Write(() =>
        {
            var record = store.Columns.FindById(name) ?? throw new InvalidOperationException($"Vector column {name} is gone.");
            var replaced = replacesSegments.Select(store.Relative).ToHashSet(StringComparer.Ordinal);
            record.Segments.RemoveAll(replaced.Contains);
            if (path is not null) record.Segments.Add(store.Relative(path)); // newest last: a later segment's row wins
            store.Columns.Update(record);
            foreach (var id in sealedTailIds) store.Tail.Delete(VectorTailRecord.KeyOf(name, id));
        });
    }
}

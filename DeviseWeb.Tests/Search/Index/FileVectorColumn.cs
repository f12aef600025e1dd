using System.Text.Json;
using DeviseWeb.Engine.Search.Index;

namespace DeviseWeb.Tests.Search.Index;

/// <summary>
/// A real, file-backed <see cref="IVectorColumn"/> for tests: every change is one JSON line appended (and flushed)
/// to a log in a folder, and <see cref="Load"/> replays the log, so a reopened column holds what was committed.
/// A transaction opened on a thread applies that thread's writes at once but calls their commit callbacks only
/// at <see cref="CommitTransaction"/>, the way the engine's store defers them.
/// </summary>
internal sealed class FileVectorColumn : IVectorColumn
{
    private readonly string _log;
    private readonly Lock _lock = new();
    private readonly List<Action> _deferred = [];
    private int? _transactionThread;

    public FileVectorColumn(string folder, int dimension, bool quantized = true, string name = "test")
    {
        Folder = folder;
        Dimension = dimension;
        Quantized = quantized;
        Name = name;
        SegmentDirectory = Directory.CreateDirectory(Path.Combine(folder, "segments")).FullName;
        _log = Path.Combine(folder, "column.log");
    }

    public string Folder { get; }
    public string Name { get; }
    public int Dimension { get; }
    public bool Quantized { get; }
    public string SegmentDirectory { get; }

    /// <summary>Segment commits seen, for tests that check what was sealed away.</summary>
    public int SegmentCommits { get; private set; }

    public ColumnContents Load()
    {
        lock (_lock)
        {
            var segments = new List<string>();
            var tail = new Dictionary<int, float[]>();
            var removed = new HashSet<int>();
            if (File.Exists(_log))
                foreach (var line in File.ReadLines(_log))
                {
                    var entry = JsonSerializer.Deserialize<Entry>(line)!;
                    switch (entry.Op)
                    {
                        case "append":
                            tail[entry.Id] = entry.Vector!;
                            removed.Remove(entry.Id);
                            break;
                        case "remove":
                            tail.Remove(entry.Id);
                            removed.Add(entry.Id);
                            break;
                        case "commit":
                            segments.RemoveAll(entry.Replaces!.Contains);
                            if (entry.Path is not null) segments.Add(entry.Path);
                            foreach (int id in entry.Sealed!) tail.Remove(id);
                            break;
                    }
                }
            return new ColumnContents(segments, tail.Select(p => (p.Key, p.Value)).ToList(), removed);
        }
    }

    public void Exclusively(Action body)
    {
        lock (_lock) body();
    }

    /// <summary>This column's writes commit at once: nothing rolls back.</summary>
    public void OnRolledBack(Action undo) { }

    public void Append(int id, ReadOnlySpan<float> vector, Action onCommitted) =>
        Write(new Entry { Op = "append", Id = id, Vector = vector.ToArray() }, onCommitted);

    public void Remove(int id, Action onCommitted) => Write(new Entry { Op = "remove", Id = id }, onCommitted);

    public void CommitSegment(string? path, IReadOnlyList<string> replacesSegments, IReadOnlyList<int> sealedTailIds)
    {
        if (path is not null && !File.Exists(path)) throw new InvalidOperationException($"Segment {path} was not written.");
        Write(new Entry { Op = "commit", Path = path, Replaces = [.. replacesSegments], Sealed = [.. sealedTailIds] }, () => { });
        lock (_lock) SegmentCommits++;
    }

    public void BeginTransaction()
    {
        lock (_lock) _transactionThread = Environment.CurrentManagedThreadId;
    }

    public void CommitTransaction()
    {
        Action[] callbacks;
        lock (_lock)
        {
            _transactionThread = null;
            callbacks = [.. _deferred];
            _deferred.Clear();
        }
        foreach (var callback in callbacks) callback();
    }

    private void Write(Entry entry, Action onCommitted)
    {
        bool defer;
        lock (_lock)
        {
            File.AppendAllText(_log, JsonSerializer.Serialize(entry) + "\n");
            defer = _transactionThread == Environment.CurrentManagedThreadId;
            if (defer) _deferred.Add(onCommitted);
        }
        if (!defer) onCommitted();
    }

    private sealed class Entry
    {
        public string Op { get; set; } = "";
        public int Id { get; set; }
        public float[]? Vector { get; set; }
        public string? Path { get; set; }
        public string[]? Replaces { get; set; }
        public int[]? Sealed { get; set; }
    }
}

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// The index's in-memory state: the current snapshot, and every change to it. Changes are made under
/// <see cref="PublishLock"/> and published as a new immutable snapshot, so readers never block: a reader takes
/// the current snapshot's view (<see cref="Acquire"/>) and sees that moment until it lets go.
/// Each add or remove gets the next sequence number; a row removed at sequence s is still live for snapshots
/// before s, so a replacement (old row removed, new row appended) is seen whole or not at all. Where this lock
/// sits among the store's: Storage/README.md.
/// </summary>
internal sealed class IndexState
{
    private readonly int _dimension;
    private readonly int _sealRows;
    private readonly double _compactShare;
    private readonly Dictionary<int, (int Count, bool LastIsAdd)> _pending = [];
    private IndexSnapshot _current;
    private bool _closed;

    public IndexState(int dimension, int sealRows, double compactShare, SealedSegment[] segments, IEnumerable<(int Id, float[] Unit)> tail)
    {
        _dimension = dimension;
        _sealRows = sealRows;
        _compactShare = compactShare;
        var chunks = new List<TailChunk>();
        int tailRows = 0;
        foreach (var (id, unit) in tail)
        {
            if (chunks.Count == 0 || chunks[^1].IsFull) chunks.Add(new TailChunk(sealRows, dimension));
            chunks[^1].Append(id, unit);
            tailRows++;
        }
        int live = tailRows + segments.Sum(s => s.LiveRows);
        _current = new IndexSnapshot(new IndexView(segments), [.. chunks], chunks.Count == 0 ? 0 : chunks[^1].Count, sequence: 1, live);
    }

    public Lock PublishLock { get; } = new();

    /// <summary>Called under the publish lock when a tail chunk fills (it should be sealed).</summary>
    public Action? ChunkFilled { get; set; }

    /// <summary>Called under the publish lock when a segment's removed share passes the threshold.</summary>
    public Action? SegmentDirty { get; set; }

    public IndexSnapshot Current => Volatile.Read(ref _current);

    public SnapshotLease Acquire()
    {
        while (true)
        {
            var snapshot = Volatile.Read(ref _current);
            if (snapshot.View.TryAddRef()) return new SnapshotLease(snapshot);
            // The view was replaced and released between the read and the reference: read the newer one.
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed), typeof(InProcessVectorIndex));
        }
    }

    /// <summary>Whether an id is there, counting writes issued to the column and not yet committed.</summary>
    public bool ExistsForWriter(int id)
    {
        lock (PublishLock)
            return _pending.TryGetValue(id, out var pending) ? pending.LastIsAdd : Current.TryLocate(id, out _, out _);
    }

    public void Issue(int id, bool isAdd)
    {
        lock (PublishLock)
            _pending[id] = (_pending.GetValueOrDefault(id).Count + 1, isAdd);
    }

    /// <summary>A write issued for the id was committed (or failed): one fewer pending.</summary>
    public void Settle(int id)
    {
        lock (PublishLock)
        {
            if (!_pending.TryGetValue(id, out var pending)) return;
            if (pending.Count <= 1) _pending.Remove(id);
            else _pending[id] = (pending.Count - 1, pending.LastIsAdd);
        }
    }

    /// <summary>
    /// Ids of chunk rows the column may drop from its tail now that they are in a segment: not those replaced or
    /// removed since the segment was built, nor those with a write in flight, whose column row may already be
    /// newer than the one in the file. The caller holds the writer lock, so no write is issued meanwhile.
    /// </summary>
    public int[] SealableIds(TailChunk chunk, int[] rows)
    {
        lock (PublishLock)
        {
            int now = _current.Sequence;
            return rows.Where(r => chunk.IsLive(r, now)).Select(chunk.Id).Where(id => !_pending.ContainsKey(id)).ToArray();
        }
    }

    /// <summary>Publishes an add or replacement; ignored once closed (a column may commit after the index is disposed).</summary>
    public void Add(int id, float[] unit)
    {
        lock (PublishLock)
        {
            if (_closed) return;
            var current = _current;
            int sequence = current.Sequence + 1;
            bool replaced = MarkRemoved(current, id, sequence);
            var tail = current.Tail;
            if (tail.Length == 0 || tail[^1].IsFull) tail = [.. tail, new TailChunk(_sealRows, _dimension)];
            var chunk = tail[^1];
            chunk.Append(id, unit);
            Publish(new IndexSnapshot(current.View, tail, chunk.Count, sequence, current.LiveCount + (replaced ? 0 : 1)));
            if (chunk.IsFull) ChunkFilled?.Invoke();
        }
    }

    public bool Remove(int id)
    {
        lock (PublishLock)
        {
            if (_closed) return false;
            var current = _current;
            int sequence = current.Sequence + 1;
            if (!MarkRemoved(current, id, sequence)) return false;
            Publish(new IndexSnapshot(current.View, current.Tail, current.LastChunkRows, sequence, current.LiveCount - 1));
            return true;
        }
    }

    /// <summary>
    /// Swaps the oldest tail chunk for the segment sealed from it (null: no row of it was live). Rows removed
    /// while the segment was written are removed in it too. The caller holds its own reference to the segment.
    /// </summary>
    public void PublishSealed(TailChunk chunk, SealedSegment? segment, int[] chunkRows)
    {
        lock (PublishLock)
        {
            var current = _current;
            if (current.Tail.Length == 0 || current.Tail[0] != chunk) throw new InvalidOperationException("Only the oldest tail chunk is sealed.");
            if (segment is not null)
                for (int i = 0; i < chunkRows.Length; i++)
                    CarryRemoval(segment, i, chunk.RemovedAt(chunkRows[i]));
            var segments = segment is null ? current.Segments : [.. current.Segments, segment];
            TailChunk[] tail = current.Tail[1..];
            PublishView(current, segments, tail, tail.Length == 0 ? 0 : current.LastChunkRows);
            if (segment is not null) CheckDirty(segment);
        }
    }

    /// <summary>
    /// Swaps compacted segments for the one rewritten from their live rows (null: none was live); rows removed
    /// meanwhile are removed in it too. Replaced files are deleted once their last reader lets go.
    /// </summary>
    public void PublishCompacted(SealedSegment[] replaced, SealedSegment? merged, (int Segment, int Row)[] sources, bool deleteFiles)
    {
        lock (PublishLock)
        {
            var current = _current;
            if (merged is not null)
                for (int i = 0; i < sources.Length; i++)
                    CarryRemoval(merged, i, replaced[sources[i].Segment].RemovedAt[sources[i].Row]);
            int at = Array.IndexOf(current.Segments, replaced[0]);
            var kept = current.Segments.Where(s => !replaced.Contains(s)).ToList();
            if (at < 0 || kept.Count != current.Segments.Length - replaced.Length) throw new InvalidOperationException("Compacted segments are no longer current.");
            if (merged is not null) kept.Insert(Math.Min(at, kept.Count), merged);
            foreach (var segment in replaced) segment.DeleteFileOnRelease = deleteFiles;
            PublishView(current, [.. kept], current.Tail, current.LastChunkRows);
            if (merged is not null) CheckDirty(merged);
        }
    }

    /// <summary>Queues a compaction for segments already past the removed share (as opened).</summary>
    public void QueueDirtySegments()
    {
        lock (PublishLock)
            foreach (var segment in _current.Segments) CheckDirty(segment);
    }

    /// <summary>Drops the index's reference to the current view; searches still running keep theirs.</summary>
    public void Close()
    {
        lock (PublishLock)
        {
            if (_closed) return;
            Volatile.Write(ref _closed, true);
            _current.View.Release();
        }
    }

    private bool MarkRemoved(IndexSnapshot current, int id, int sequence)
    {
        if (!current.TryLocate(id, out int part, out int row)) return false;
        if (part >= current.Segments.Length)
        {
            current.Tail[part - current.Segments.Length].MarkRemoved(row, sequence);
            return true;
        }
        var segment = current.Segments[part];
        segment.RemovedAt[row] = sequence;
        segment.DeadRows++;
        CheckDirty(segment);
        return true;
    }

    private static void CarryRemoval(SealedSegment target, int row, int removedAt)
    {
        if (removedAt == SealedSegment.Live) return;
        target.RemovedAt[row] = removedAt;
        target.DeadRows++;
    }

    private void CheckDirty(SealedSegment segment)
    {
        if (segment.CompactionQueued || segment.DeadRows <= _compactShare * segment.Data.Count) return;
        segment.CompactionQueued = true;
        SegmentDirty?.Invoke();
    }

    private void PublishView(IndexSnapshot current, SealedSegment[] segments, TailChunk[] tail, int lastChunkRows)
    {
        ObjectDisposedException.ThrowIf(_closed, typeof(InProcessVectorIndex));
        var view = new IndexView(segments);
        Publish(new IndexSnapshot(view, tail, lastChunkRows, current.Sequence, current.LiveCount));
        current.View.Release();
    }

    private void Publish(IndexSnapshot snapshot)
    {
        ObjectDisposedException.ThrowIf(_closed, typeof(InProcessVectorIndex));
        Volatile.Write(ref _current, snapshot);
    }
}

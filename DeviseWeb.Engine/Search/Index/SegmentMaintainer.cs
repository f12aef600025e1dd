namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Seals full tail chunks into segments and compacts segments with removed rows, on the index's worker thread.
/// Each step writes its segment file first, then commits it to the column (under the column's lock, then the
/// writer lock: the order every writer takes them in, so column writes stay serialised), then publishes the new
/// view; a replaced file is deleted when its last reader goes. Why publishing after the store's lock is safe here:
/// Storage/README.md.
/// </summary>
internal sealed class SegmentMaintainer : IDisposable
{
    private readonly IndexState _state;
    private readonly IVectorColumn? _column;
    private readonly Lock _writeLock;
    private readonly VectorIndexOptions _options;
    private readonly SegmentBuilder _builder;
    private readonly IndexWorker _worker;
    private int _sealPosted;
    private int _compactionPosted;

    public SegmentMaintainer(IndexState state, IVectorColumn? column, Lock writeLock, VectorIndexOptions options, SegmentBuilder builder)
    {
        _state = state;
        _column = column;
        _writeLock = writeLock;
        _options = options;
        _builder = builder;
        _worker = new IndexWorker($"vector-index {column?.Name ?? "in-memory"}", ReportError);
        state.ChunkFilled = RequestSeal;
        state.SegmentDirty = RequestCompaction;
    }

    /// <summary>Raised on the worker after each seal or compaction is published (tests wait on it).</summary>
    public event Action? Published;

    public void RequestSeal()
    {
        if (Interlocked.Exchange(ref _sealPosted, 1) == 0) _worker.Post(SealFullChunks);
    }

    public void RequestCompaction()
    {
        if (Interlocked.Exchange(ref _compactionPosted, 1) == 0) _worker.Post(stopping => Compact(everything: false, stopping));
    }

    /// <summary>Seals full chunks, then rewrites every segment with a removed row, merging small neighbours.</summary>
    public Task CompactAsync(CancellationToken cancellationToken) => _worker.RunAsync(stopping =>
    {
        SealFullChunks(stopping);
        Compact(everything: true, stopping);
    }, cancellationToken);

    private void SealFullChunks(CancellationToken stopping)
    {
        Volatile.Write(ref _sealPosted, 0);
        while (true)
        {
            stopping.ThrowIfCancellationRequested();
            var current = _state.Current;
            if (current.Tail.Length == 0 || !current.Tail[0].IsFull) return;
            Seal(current.Tail[0], current.Sequence, stopping);
        }
    }

    private void Seal(TailChunk chunk, int sequence, CancellationToken stopping)
    {
        int[] rows = Enumerable.Range(0, chunk.Count).Where(r => chunk.IsLive(r, sequence)).ToArray();
        Array.Sort(rows.Select(chunk.Id).ToArray(), rows);
        var segment = rows.Length == 0 ? null : _builder.Build(rows.Length, (int i, out int id) =>
        {
            id = chunk.Id(rows[i]);
            return chunk.Row(rows[i]);
        });
        Commit(segment, [], () => _state.SealableIds(chunk, rows), () => _state.PublishSealed(chunk, segment, rows), stopping);
    }

    private void Compact(bool everything, CancellationToken stopping)
    {
        if (!everything) Volatile.Write(ref _compactionPosted, 0);
        foreach (var group in CompactionPlan.Groups(_state.Current.Segments, everything, _options.CompactRemovedShare, _options.SealRows))
        {
            stopping.ThrowIfCancellationRequested();
            try
            {
                CompactGroup(group, stopping);
            }
            catch
            {
                foreach (var segment in group) segment.CompactionQueued = false; // queued again by the next removal
                throw;
            }
        }
    }

    private void CompactGroup(SealedSegment[] group, CancellationToken stopping)
    {
        int sequence = _state.Current.Sequence;
        var sources = new List<(int Segment, int Row)>();
        var ids = new List<int>();
        for (int s = 0; s < group.Length; s++)
            for (int row = 0; row < group[s].Data.Count; row++)
                if (group[s].IsLive(row, sequence))
                {
                    sources.Add((s, row));
                    ids.Add(group[s].Data.IdSpan[row]);
                }
        var ordered = sources.ToArray();
        Array.Sort(ids.ToArray(), ordered);
        var merged = ordered.Length == 0 ? null : _builder.Build(ordered.Length, (int i, out int id) =>
        {
            var data = group[ordered[i].Segment].Data;
            id = data.IdSpan[ordered[i].Row];
            return data.Row(ordered[i].Row);
        });
        var replaced = group.Select(s => s.Data.Path).OfType<string>().ToArray();
        Commit(merged, replaced, () => [], () => _state.PublishCompacted(group, merged, ordered, deleteFiles: _column is not null), stopping);
    }

    /// <summary>Column first (durable), memory second; a file the column never took is deleted again.</summary>
    private void Commit(SealedSegment? segment, string[] replaces, Func<int[]> sealedTailIds, Action publish, CancellationToken stopping)
    {
        bool committed = false;
        try
        {
            stopping.ThrowIfCancellationRequested();
            if (segment is not null && _column is not null) FaultPoints.Hit(FaultPoints.SegmentWritten);
            if (_column is not null)
            {
                _column.Exclusively(() =>
                {
                    lock (_writeLock) _column.CommitSegment(segment?.Data.Path, replaces, sealedTailIds());
                });
                committed = true;
            }
            publish();
        }
        catch
        {
            if (!committed && segment is not null) segment.DeleteFileOnRelease = true;
            throw;
        }
        finally
        {
            segment?.Release(); // the builder's reference; the published view holds its own
        }
        Published?.Invoke();
    }

    private void ReportError(Exception error)
    {
        if (_options.BackgroundError is { } report) report(error);
    }

    public void Dispose() => _worker.Dispose();
}

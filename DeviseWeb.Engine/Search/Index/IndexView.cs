namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// One set of sealed segments, reference-counted: the index holds one reference while the view is current,
/// each search one while it runs. The last release releases the segments, which free themselves deterministically.
/// </summary>
internal sealed class IndexView
{
    private int _references = 1;

    /// <summary>Takes a reference to each segment; the creator holds the view's first reference.</summary>
    public IndexView(SealedSegment[] segments)
    {
        foreach (var segment in segments) segment.AddRef();
        Segments = segments;
    }

    public SealedSegment[] Segments { get; }

    /// <summary>False once the view is gone: a reader then retries with the newer current snapshot.</summary>
    public bool TryAddRef()
    {
        for (int seen = Volatile.Read(ref _references); seen > 0; seen = Volatile.Read(ref _references))
            if (Interlocked.CompareExchange(ref _references, seen + 1, seen) == seen) return true;
        return false;
    }

    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0) return;
        if (left < 0) throw new InvalidOperationException("View released more often than referenced.");
        foreach (var segment in Segments) segment.Release();
    }
}

/// <summary>
/// What a search sees: a view, the tail chunks and how many rows of the last one, and the sequence of the last
/// change it includes (a row removed at a later sequence is still live for it). Immutable; the index publishes
/// a new one for every change.
/// </summary>
internal sealed class IndexSnapshot(IndexView view, TailChunk[] tail, int lastChunkRows, int sequence, int liveCount)
{
    public IndexView View { get; } = view;
    public SealedSegment[] Segments => View.Segments;
    public TailChunk[] Tail { get; } = tail;
    public int LastChunkRows { get; } = lastChunkRows;
    public int Sequence { get; } = sequence;
    public int LiveCount { get; } = liveCount;

    /// <summary>Parts are numbered segments first, then tail chunks.</summary>
    public int PartCount => Segments.Length + Tail.Length;

    public int TailRows(int chunk) => chunk == Tail.Length - 1 ? LastChunkRows : Tail[chunk].Capacity;

    public int PartRows(int part) => part < Segments.Length ? Segments[part].Data.Count : TailRows(part - Segments.Length);

    public int IdAt(int part, int row) => part < Segments.Length
        ? Segments[part].Data.IdSpan[row]
        : Tail[part - Segments.Length].Id(row);

    public bool IsLive(int part, int row) => part < Segments.Length
        ? Segments[part].IsLive(row, Sequence)
        : Tail[part - Segments.Length].IsLive(row, Sequence);

    public ReadOnlySpan<float> Vector(int part, int row) => part < Segments.Length
        ? Segments[part].Data.Row(row)
        : Tail[part - Segments.Length].Row(row);

    /// <summary>Where the live row of an id is, newest first (the tail before segments).</summary>
    public bool TryLocate(int id, out int part, out int row)
    {
        for (int chunk = Tail.Length - 1; chunk >= 0; chunk--)
        {
            row = Tail[chunk].LastRowOf(id, TailRows(chunk));
            if (row >= 0 && Tail[chunk].IsLive(row, Sequence))
            {
                part = Segments.Length + chunk;
                return true;
            }
        }
        for (part = 0; part < Segments.Length; part++)
        {
            row = Segments[part].Data.RowOf(id);
            if (row >= 0 && Segments[part].IsLive(row, Sequence)) return true;
        }
        part = row = -1;
        return false;
    }
}

/// <summary>A search's hold on a snapshot: disposing releases its view once.</summary>
internal sealed class SnapshotLease(IndexSnapshot snapshot) : IDisposable
{
    private int _disposed;

    public IndexSnapshot Snapshot { get; } = snapshot;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) Snapshot.View.Release();
    }
}

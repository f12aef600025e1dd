namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// A sealed segment as the index holds it: its rows, and per row the change sequence that removed it
/// (<see cref="Live"/> while it is live), so that a search sees exactly the removals made before it began.
/// Reference-counted by the views that contain it: the last release frees its native memory and memory map,
/// and deletes its file when compaction has replaced it.
/// </summary>
internal sealed class SealedSegment
{
    public const int Live = int.MaxValue;
    private int _references = 1;
    private IDisposable? _scanCache;

    /// <summary>Starts with one reference, the creator's.</summary>
    public SealedSegment(SegmentData data, int[] removedAt, int deadRows)
    {
        Data = data;
        RemovedAt = removedAt;
        DeadRows = deadRows;
    }

    public SegmentData Data { get; }

    /// <summary>Written under the index's publish lock; read by searches without it (an int write is atomic).</summary>
    public int[] RemovedAt { get; }

    /// <summary>Rows removed so far; written under the publish lock.</summary>
    public int DeadRows { get; set; }

    public int LiveRows => Data.Count - DeadRows;

    /// <summary>Set once a background compaction of this segment is queued, so it is queued once.</summary>
    public bool CompactionQueued { get; set; }

    /// <summary>Set when a committed compaction replaced this segment: its file goes with its last reader.</summary>
    public volatile bool DeleteFileOnRelease;

    /// <summary>Reports a file that could not be deleted (the column no longer names it; a later sweep may).</summary>
    public Action<Exception>? ReleaseError { get; init; }

    public bool IsLive(int row, int sequence) => RemovedAt[row] > sequence;

    /// <summary>Per-backend data derived from the rows (device tensors), made once and freed with the segment.</summary>
    public T GetOrAddScanCache<T>(Func<SegmentData, T> create) where T : class, IDisposable
    {
        if (Volatile.Read(ref _scanCache) is T existing) return existing;
        var made = create(Data);
        if (Interlocked.CompareExchange(ref _scanCache, made, null) is T raced)
        {
            made.Dispose();
            return raced;
        }
        return made;
    }

    public void AddRef()
    {
        if (Interlocked.Increment(ref _references) <= 1) throw new InvalidOperationException("Segment already released.");
    }

    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0) return;
        if (left < 0) throw new InvalidOperationException("Segment released more often than referenced.");
        Interlocked.Exchange(ref _scanCache, null)?.Dispose();
        string? path = Data.Path;
        Data.Dispose();
        if (!DeleteFileOnRelease || path is null) return;
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ReleaseError?.Invoke(e);
        }
    }
}

using System.Runtime.CompilerServices;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Exact cosine search over unit vectors, in this process. Vectors live in immutable sealed segments (memory-
/// mapped files of a column, or native memory without one) plus an append-only tail that a background worker
/// seals every <see cref="VectorIndexOptions.SealRows"/> rows; removals are tombstones that compaction drops.
/// Searches scan every core with SIMD kernels (an int8 shortlist re-ranked in fp32 when quantized), or fp32
/// tensors on a CUDA device. Readers never block: each takes a reference-counted snapshot; segment memory
/// and replaced files are freed when their last reader lets go. With a store-backed column, an add or remove is
/// published when its transaction commits, in commit order (Storage/README.md).
/// </summary>
public sealed class InProcessVectorIndex : IVectorIndex
{
    private readonly IVectorColumn? _column;
    private readonly IndexState _state;
    private readonly ISnapshotScanner _scanner;
    private readonly SegmentMaintainer _maintainer;
    private readonly Lock _writeLock = new(); // serialises writes to the column (and so their order there)
    private int _disposed;

    private InProcessVectorIndex(int dimension, bool quantized, IVectorColumn? column, VectorIndexOptions options,
        Func<SegmentBuilder, (SealedSegment[] Segments, List<(int Id, float[] Unit)> Tail)> contents)
    {
        options.Validate();
        if (dimension < 1) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "At least 1.");
        Dimension = dimension;
        Quantized = quantized;
        _column = column;
        bool tensors = options.UsesTensors;
        // Before any segment is open: nothing to free if the tensor backend cannot start.
        _scanner = tensors ? CreateTensorScanner(dimension, options) : new SimdScanner(dimension, options);
        var builder = new SegmentBuilder(dimension, quantized, column, loadInt8: !tensors, options.BackgroundError);
        var (segments, tail) = contents(builder);
        _state = new IndexState(dimension, options.SealRows, options.CompactRemovedShare, segments, tail);
        foreach (var segment in segments) segment.Release(); // the view holds them now
        _maintainer = new SegmentMaintainer(_state, column, _writeLock, options, builder);
        // Only work left over from before starts the worker: a small index never has a thread.
        if (tail.Count >= options.SealRows) _maintainer.RequestSeal();
        _state.QueueDirtySegments();
    }

    /// <summary>An empty index kept in memory only (the keyword vocabulary, benchmarks, tests).</summary>
    public InProcessVectorIndex(int dimension, bool quantized = true, VectorIndexOptions? options = null)
        : this(dimension, quantized, column: null, options ?? VectorIndexOptions.Default, _ => ([], []))
    {
    }

    /// <summary>Opens the index a column holds: its segment files, its tail, its removals.</summary>
    /// <exception cref="InvalidDataException">A segment file is damaged; the message names it.</exception>
    public static InProcessVectorIndex Open(IVectorColumn column, VectorIndexOptions? options = null)
    {
        options ??= VectorIndexOptions.Default;
        return new InProcessVectorIndex(column.Dimension, column.Quantized, column, options,
            _ => IndexLoader.Load(column, loadInt8: !options.UsesTensors, options.BackgroundError));
    }

    /// <summary>An in-memory index of many vectors at once, sealed straight into segments (ids must be unique).</summary>
    public static InProcessVectorIndex Build(int dimension, IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors,
        bool quantized = true, VectorIndexOptions? options = null)
    {
        if (ids.Count != vectors.Count) throw new ArgumentException("One vector per id.", nameof(vectors));
        options ??= VectorIndexOptions.Default;
        return new InProcessVectorIndex(dimension, quantized, column: null, options,
            builder => (BulkBuilder.Segments(builder, dimension, ids, vectors, options.SealRows), []));
    }

    public int Dimension { get; }

    /// <summary>Whether sealed segments keep an int8 copy for the shortlist scan.</summary>
    public bool Quantized { get; }

    public int Count => _state.Current.LiveCount;

    /// <summary>Rows not yet sealed into a segment file: they live on the managed heap.</summary>
    internal int UnsealedRows
    {
        get
        {
            var current = _state.Current;
            int rows = 0;
            for (int chunk = 0; chunk < current.Tail.Length; chunk++) rows += current.TailRows(chunk);
            return rows;
        }
    }

    /// <summary>Bytes of the live vectors: an fp32 row each, plus the int8 row and its scale a quantized index scans.</summary>
    public long VectorBytes => (long)Count * (Dimension * sizeof(float) + (Quantized ? Dimension + sizeof(float) : 0));

    public bool Contains(int id)
    {
        using var lease = Acquire();
        return lease.Snapshot.TryLocate(id, out _, out _);
    }

    public float[]? Get(int id)
    {
        using var lease = Acquire();
        return lease.Snapshot.TryLocate(id, out int part, out int row) ? lease.Snapshot.Vector(part, row).ToArray() : null;
    }

    /// <summary>The stored unit vectors of the ids, in their order; null where an id is not there.</summary>
    public float[]?[] GetMany(IReadOnlyList<int> ids)
    {
        using var lease = Acquire();
        var vectors = new float[]?[ids.Count];
        for (int i = 0; i < ids.Count; i++)
            if (lease.Snapshot.TryLocate(ids[i], out int part, out int row)) vectors[i] = lease.Snapshot.Vector(part, row).ToArray();
        return vectors;
    }

    public bool[] ContainsMany(IReadOnlyList<int> ids)
    {
        using var lease = Acquire();
        var found = new bool[ids.Count];
        for (int i = 0; i < ids.Count; i++) found[i] = lease.Snapshot.TryLocate(ids[i], out _, out _);
        return found;
    }

    /// <summary>Every live id, ascending.</summary>
    public IReadOnlyList<int> Ids()
    {
        using var lease = Acquire();
        var ids = LiveRows(lease.Snapshot).Select(r => r.Id).ToArray();
        Array.Sort(ids);
        return ids;
    }

    /// <summary>Every live (id, unit vector), ascending by id, read from one snapshot; a vector is copied as it is yielded.</summary>
    public IEnumerable<(int Id, float[] Vector)> Enumerate()
    {
        using var lease = Acquire();
        var rows = LiveRows(lease.Snapshot).ToArray();
        Array.Sort(rows, static (a, b) => a.Id.CompareTo(b.Id));
        foreach (var (id, part, row) in rows) yield return (id, lease.Snapshot.Vector(part, row).ToArray());
    }

    public void Add(int id, ReadOnlySpan<float> vector)
    {
        ThrowIfDisposed();
        if (vector.Length != Dimension) throw new ArgumentException($"Vector has {vector.Length} values, the index {Dimension}.", nameof(vector));
        var unit = VectorMath.Normalized(vector);
        if (_column is null)
        {
            _state.Add(id, unit);
            return;
        }
        _column.Exclusively(() =>
        {
            lock (_writeLock)
            {
                _state.Issue(id, isAdd: true);
                try
                {
                    _column.Append(id, unit, () => Committed(id, () => _state.Add(id, unit)));
                }
                catch
                {
                    _state.Settle(id);
                    throw;
                }
            }
        });
    }

    public bool Remove(int id)
    {
        ThrowIfDisposed();
        if (_column is null) return _state.Remove(id);
        bool removed = false;
        _column.Exclusively(() =>
        {
            lock (_writeLock)
            {
                if (!_state.ExistsForWriter(id)) return;
                _state.Issue(id, isAdd: false);
                try
                {
                    _column.Remove(id, () => Committed(id, () => _state.Remove(id)));
                }
                catch
                {
                    _state.Settle(id);
                    throw;
                }
                removed = true;
            }
        });
        return removed;
    }

    public IReadOnlyList<VectorHit> Search(ReadOnlySpan<float> query, int k, VectorSearchOptions? options = null)
    {
        if (query.Length != Dimension) throw new ArgumentException($"Query has {query.Length} values, the index {Dimension}.", nameof(query));
        if (k <= 0) return [];
        var unit = VectorMath.Normalized(query);
        using var lease = Acquire();
        return lease.Snapshot.LiveCount == 0 ? [] : _scanner.Search(lease.Snapshot, unit, k, options ?? VectorSearchOptions.None);
    }

    public IReadOnlyList<IReadOnlyList<VectorHit>> SearchBatch(IReadOnlyList<float[]> queries, int k, VectorSearchOptions? options = null)
    {
        foreach (var query in queries)
            if (query.Length != Dimension) throw new ArgumentException($"A query has {query.Length} values, the index {Dimension}.", nameof(queries));
        if (k <= 0 || queries.Count == 0) return queries.Select(_ => (IReadOnlyList<VectorHit>)[]).ToArray();
        var units = queries.Select(q => VectorMath.Normalized(q)).ToArray();
        using var lease = Acquire();
        if (lease.Snapshot.LiveCount == 0) return units.Select(_ => (IReadOnlyList<VectorHit>)[]).ToArray();
        return _scanner.SearchBatch(lease.Snapshot, units, k, options ?? VectorSearchOptions.None);
    }

    /// <summary>
    /// Seals full tail chunks and rewrites every segment that has removed rows, merging small neighbours; the
    /// replaced files are deleted once no search reads them. Runs on the index's worker, after work queued before.
    /// </summary>
    public Task CompactAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _maintainer.CompactAsync(cancellationToken);
    }

    /// <summary>Stops the background worker (waiting for it), then releases every segment no search still holds.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _maintainer.Dispose();
        _state.Close();
        _scanner.Dispose();
    }

    /// <summary>A hold on the current snapshot (tests use it to play a slow reader).</summary>
    internal SnapshotLease Acquire()
    {
        ThrowIfDisposed();
        return _state.Acquire();
    }

    /// <summary>Raised on the worker after each seal or compaction is published.</summary>
    internal event Action? MaintenancePublished
    {
        add => _maintainer.Published += value;
        remove => _maintainer.Published -= value;
    }

    /// <summary>The column's commit callback: settles the pending write, then publishes it.</summary>
    private void Committed(int id, Action publish)
    {
        // One step under the publish lock: a seal must never see the write settled but not yet published.
        lock (_state.PublishLock)
        {
            _state.Settle(id);
            publish();
        }
    }

    private static IEnumerable<(int Id, int Part, int Row)> LiveRows(IndexSnapshot snapshot)
    {
        for (int part = 0; part < snapshot.PartCount; part++)
            for (int row = 0, rows = snapshot.PartRows(part); row < rows; row++)
                if (snapshot.IsLive(part, row)) yield return (snapshot.IdAt(part, row), part, row);
    }

    // Kept out of line so that the SIMD path never loads TorchSharp's types, let alone libtorch.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static ISnapshotScanner CreateTensorScanner(int dimension, VectorIndexOptions options) => new TensorScanner(dimension, options);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
}

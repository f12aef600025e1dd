namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// What a column held when it was last committed: sealed segment files, oldest first (in commit order), the
/// rows appended and not sealed away since, and ids whose last change was a removal (their rows may still sit
/// in a segment until it is compacted). An id may be in several places; its newest row wins: the tail over
/// segments, a later segment over an earlier one. A removed id may linger after no segment holds it.
/// </summary>
public sealed record ColumnContents(
    IReadOnlyList<string> SegmentPaths,
    IReadOnlyList<(int Id, float[] Vector)> Tail,
    IReadOnlySet<int> Removed);

/// <summary>
/// The durable home of one in-process index's vectors (features of a backbone, embeddings of a model version):
/// immutable segment files beside the database, plus a small tail of rows not yet sealed, stored as records.
/// The index owning a column is its only writer, and calls it under its writer lock (one call at a time), which it
/// takes inside <see cref="Exclusively"/>.
/// Writes join the caller's store transaction when one is open on this thread (so an image record and its
/// vectors commit together) and call <c>onCommitted</c> once the change is durable, before the column's lock is
/// released: changes are published in the order they committed. Without a transaction they commit at once and
/// call it before returning. The engine's protocol: Storage/README.md.
/// </summary>
public interface IVectorColumn
{
    /// <summary>Names the column in the store, e.g. "embeddings/model-3".</summary>
    string Name { get; }

    int Dimension { get; }

    /// <summary>Whether segment files carry the int8 copy used for fast scans (embeddings do; features need not).</summary>
    bool Quantized { get; }

    /// <summary>Where new segment files go; <see cref="CommitSegment"/> takes files written here.</summary>
    string SegmentDirectory { get; }

    ColumnContents Load();

    /// <summary>
    /// Runs <paramref name="body"/> holding the lock the column's own writes take (for the engine's store, its write
    /// lock; a body that writes joins one transaction). The index takes its writer lock inside it, so every writer
    /// takes the two in one order: the store's first. Callers that add an image inside a store transaction already
    /// hold it; without this, a background seal holding the index's lock and waiting for the store's would deadlock
    /// with them.
    /// </summary>
    void Exclusively(Action body);

    /// <summary>
    /// Stores one unsealed row, replacing a tail row of that id. A row of the id in a segment stays; the newer tail
    /// row wins on load. An id in <see cref="ColumnContents.Removed"/> is never appended again (the engine's store
    /// refuses it: ids are not reused, and its removed set is shared by every column).
    /// </summary>
    void Append(int id, ReadOnlySpan<float> vector, Action onCommitted);

    /// <summary>
    /// Runs <paramref name="undo"/> if the store transaction open on this thread rolls back (nothing when none is open):
    /// how an index whose rows live in another service (PostgreSQL) takes back a write the store did not keep.
    /// </summary>
    void OnRolledBack(Action undo);

    /// <summary>Records that an id is gone from this column: drops its tail row and adds it to <see cref="ColumnContents.Removed"/>.</summary>
    void Remove(int id, Action onCommitted);

    /// <summary>
    /// Commits a segment file already written and flushed under <see cref="SegmentDirectory"/> (null: the
    /// replaced segments had no live rows left): it goes to the end of the segment list, and replaces the given
    /// segments (compaction, may be none) and the tail rows of the given ids (sealing, may be none; the index
    /// leaves out ids whose tail row may be newer than the file's). Leaves <see cref="ColumnContents.Removed"/>
    /// as it is. Called from the index's worker thread, outside any caller's transaction. Replaced files are
    /// deleted by the caller once nothing reads them.
    /// </summary>
    void CommitSegment(string? path, IReadOnlyList<string> replacesSegments, IReadOnlyList<int> sealedTailIds);
}

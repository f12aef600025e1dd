namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// What a column held when it was last committed: sealed segment files, the rows appended since the last
/// seal, and ids removed since (their rows may still sit in a segment until it is compacted).
/// </summary>
public sealed record ColumnContents(
    IReadOnlyList<string> SegmentPaths,
    IReadOnlyList<(int Id, float[] Vector)> Tail,
    IReadOnlySet<int> Removed);

/// <summary>
/// The durable home of one in-process index's vectors (features of a backbone, embeddings of a model version):
/// immutable segment files beside the database, plus a small tail of rows not yet sealed, stored as records.
/// The index owning a column is its only writer. Writes join the caller's store transaction when one is open
/// on this thread (so an image record and its vectors commit together) and call <c>onCommitted</c> once the
/// change is durable; without a transaction they commit at once and call it before returning.
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

    /// <summary>Stores one unsealed row (replacing a stored row of that id).</summary>
    void Append(int id, ReadOnlySpan<float> vector, Action onCommitted);

    /// <summary>Records that an id is gone from this column.</summary>
    void Remove(int id, Action onCommitted);

    /// <summary>
    /// Commits a segment file already written and flushed under <see cref="SegmentDirectory"/> (null: the
    /// replaced segments had no live rows left): it replaces the given segments (compaction, may be none) and
    /// the tail rows of the given ids (sealing, may be none). Replaced files are deleted by the caller once
    /// nothing reads them.
    /// </summary>
    void CommitSegment(string? path, IReadOnlyList<string> replacesSegments, IReadOnlyList<int> sealedTailIds);
}

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Up to <see cref="Capacity"/> unsealed rows, appended in place: blocks of rows are allocated as they fill,
/// so adding never copies a stored vector. Rows below a snapshot's count never change; only their removal
/// sequence does. Appends happen under the index's publish lock; readers go up to their snapshot's count.
/// </summary>
internal sealed class TailChunk
{
    public const int BlockRows = 1024;
    private readonly Block?[] _blocks;

    public TailChunk(int capacity, int dimension)
    {
        Capacity = capacity;
        Dimension = dimension;
        _blocks = new Block?[(capacity + BlockRows - 1) / BlockRows];
    }

    public int Capacity { get; }
    public int Dimension { get; }

    /// <summary>Rows appended; a reader uses its snapshot's count instead, which never runs ahead of this.</summary>
    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    public void Append(int id, ReadOnlySpan<float> unit)
    {
        int block = Count / BlockRows, offset = Count % BlockRows;
        var target = _blocks[block] ??= new Block(Math.Min(BlockRows, Capacity - block * BlockRows), Dimension);
        unit.CopyTo(target.Vectors.AsSpan(offset * Dimension, Dimension));
        target.Ids[offset] = id;
        target.RemovedAt[offset] = SealedSegment.Live;
        Count++;
    }

    public int Id(int row) => _blocks[row / BlockRows]!.Ids[row % BlockRows];

    public ReadOnlySpan<float> Row(int row) => _blocks[row / BlockRows]!.Vectors.AsSpan(row % BlockRows * Dimension, Dimension);

    public bool IsLive(int row, int sequence) => _blocks[row / BlockRows]!.RemovedAt[row % BlockRows] > sequence;

    public int RemovedAt(int row) => _blocks[row / BlockRows]!.RemovedAt[row % BlockRows];

    public void MarkRemoved(int row, int sequence) => _blocks[row / BlockRows]!.RemovedAt[row % BlockRows] = sequence;

    /// <summary>The array holding a row's block: rows of one block lie contiguously, starting at a multiple of <see cref="BlockRows"/>.</summary>
    public float[] BlockVectors(int row) => _blocks[row / BlockRows]!.Vectors;

    /// <summary>The last row below <paramref name="count"/> holding the id, or −1.</summary>
    public int LastRowOf(int id, int count)
    {
        if (count <= 0) return -1;
        for (int block = (count - 1) / BlockRows; block >= 0; block--)
        {
            int rows = Math.Min(BlockRows, count - block * BlockRows);
            int at = _blocks[block]!.Ids.AsSpan(0, rows).LastIndexOf(id);
            if (at >= 0) return block * BlockRows + at;
        }
        return -1;
    }

    private sealed class Block(int rows, int dimension)
    {
        public readonly float[] Vectors = new float[rows * dimension];
        public readonly int[] Ids = new int[rows];
        public readonly int[] RemovedAt = new int[rows];
    }
}

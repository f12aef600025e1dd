using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// The rows of one sealed segment: ids, scales, sums and int8 rows in one 64-byte-aligned native block (the
/// file's front), fp32 rows memory-mapped from the file or, for an in-memory index, in a second native block.
/// Disposing frees both at once; nothing is left to a finaliser.
/// </summary>
internal sealed unsafe class SegmentData : IDisposable
{
    private byte* _front;
    private float* _ownedVectors;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private bool _pointerAcquired;

    /// <summary>Takes ownership of native blocks (from <see cref="NativeMemory.AlignedAlloc"/>) or of a mapped view.</summary>
    internal SegmentData(SegmentLayout layout, byte* front, float* ownedVectors, string? path,
        MemoryMappedFile? map = null, MemoryMappedViewAccessor? view = null, bool hasInt8 = true)
    {
        Layout = layout;
        Path = path;
        HasInt8 = layout.Quantized && hasInt8;
        _front = front;
        _ownedVectors = ownedVectors;
        _map = map;
        _view = view;
        Vectors = ownedVectors;
        if (view is not null && layout.VectorBytes > 0)
        {
            byte* mapped = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref mapped);
            _pointerAcquired = true;
            Vectors = (float*)(mapped + view.PointerOffset);
        }
    }

    public SegmentLayout Layout { get; }

    /// <summary>The segment file, or null for an in-memory segment.</summary>
    public string? Path { get; }

    public int Count => Layout.Count;
    public int Dimension => Layout.Dimension;

    /// <summary>Whether the int8 section was loaded (the tensor backend leaves it on disk).</summary>
    public bool HasInt8 { get; }

    public int* Ids => (int*)(_front + SegmentLayout.IdsOffset);
    public float* Scales => (float*)(_front + Layout.ScalesOffset);
    public int* Sums => (int*)(_front + Layout.SumsOffset);
    public sbyte* Int8 => (sbyte*)(_front + Layout.Int8Offset);
    public float* Vectors { get; }

    public ReadOnlySpan<int> IdSpan => new(Ids, Count);

    public ReadOnlySpan<float> Row(int row) => new(Vectors + (long)row * Dimension, Dimension);

    /// <summary>The row of an id, or −1; ids are ascending.</summary>
    public int RowOf(int id)
    {
        if (Count == 0 || id < Ids[0] || id > Ids[Count - 1]) return -1;
        int row = IdSpan.BinarySearch(id);
        return row >= 0 ? row : -1;
    }

    public void Dispose()
    {
        if (_pointerAcquired)
        {
            _view!.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointerAcquired = false;
        }
        _view?.Dispose();
        _map?.Dispose();
        if (_front is not null) NativeMemory.AlignedFree(_front);
        if (_ownedVectors is not null) NativeMemory.AlignedFree(_ownedVectors);
        _front = null;
        _ownedVectors = null;
    }
}

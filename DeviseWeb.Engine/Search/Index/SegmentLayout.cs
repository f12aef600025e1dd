using System.Buffers.Binary;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Where each section of a segment lies, from its header fields. Version 1 layout, every section starting on
/// a 64-byte boundary so int8 rows and fp32 rows can be read with aligned loads straight from the file:
/// <code>
/// header  64 bytes: magic u64, version i32, dimension i32, count i32, flags i32, int8 stride i32, reserved i32,
///                   file length i64, checksum u64 (header with this field zero, then the ids), 16 zero bytes
/// ids     count × i32, strictly ascending
/// scales  count × f32        (quantized only) symmetric per-row scale: row ≈ scale × int8 row
/// sums    count × i32        (quantized only) sum of the row's int8 values, for the unsigned-query VNNI trick
/// int8    count × stride     (quantized only) rows padded with zeros to a multiple of 64 bytes
/// fp32    count × dimension × f32, the unit vectors
/// </code>
/// The part before fp32 (the "front") is read into native memory; fp32 is memory-mapped.
/// </summary>
internal readonly record struct SegmentLayout(int Dimension, int Count, bool Quantized)
{
    public const int HeaderBytes = 64;
    public const ulong Magic = 0x0031_4745_5356_5744; // the bytes "DWVSEG1\0"
    public const int Version = 1;
    public const int QuantizedFlag = 1;
    private const int ChecksumOffset = 40;

    public int Int8Stride => Quantized ? (int)Align(Dimension) : 0;
    public static long IdsOffset => HeaderBytes;
    public long ScalesOffset => Align(IdsOffset + 4L * Count);
    public long SumsOffset => ScalesOffset + (Quantized ? Align(4L * Count) : 0);
    public long Int8Offset => SumsOffset + (Quantized ? Align(4L * Count) : 0);
    public long VectorsOffset => Int8Offset + Align((long)Count * Int8Stride);
    public long VectorBytes => 4L * Count * Dimension;
    public long FileLength => VectorsOffset + VectorBytes;

    public static long Align(long bytes) => (bytes + 63) & ~63L;

    public void WriteHeader(Span<byte> header, ulong checksum)
    {
        header[..HeaderBytes].Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], Dimension);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], Count);
        BinaryPrimitives.WriteInt32LittleEndian(header[20..], Quantized ? QuantizedFlag : 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[24..], Int8Stride);
        BinaryPrimitives.WriteInt64LittleEndian(header[32..], FileLength);
        BinaryPrimitives.WriteUInt64LittleEndian(header[ChecksumOffset..], checksum);
    }

    /// <summary>Reads and checks a header; returns the reason it is unusable, or null.</summary>
    public static string? TryReadHeader(ReadOnlySpan<byte> header, long fileLength, out SegmentLayout layout, out ulong checksum)
    {
        layout = default;
        checksum = 0;
        if (fileLength < HeaderBytes) return $"{fileLength} bytes is shorter than the {HeaderBytes}-byte header";
        if (BinaryPrimitives.ReadUInt64LittleEndian(header) != Magic) return "not a segment file (bad magic)";
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version != Version) return $"format version {version}, this build reads {Version}";
        int dimension = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        int count = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        int flags = BinaryPrimitives.ReadInt32LittleEndian(header[20..]);
        if (dimension < 1 || count < 0 || (flags & ~QuantizedFlag) != 0) return $"bad header (dimension {dimension}, count {count}, flags {flags})";
        layout = new SegmentLayout(dimension, count, (flags & QuantizedFlag) != 0);
        int stride = BinaryPrimitives.ReadInt32LittleEndian(header[24..]);
        if (stride != layout.Int8Stride) return $"int8 stride {stride}, expected {layout.Int8Stride}";
        long declared = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
        if (declared != layout.FileLength || fileLength != layout.FileLength)
            return $"length {fileLength} bytes (header says {declared}), expected {layout.FileLength}: truncated or not finished";
        checksum = BinaryPrimitives.ReadUInt64LittleEndian(header[ChecksumOffset..]);
        return null;
    }

    /// <summary>
    /// FNV-1a over 64-bit words of the header (checksum field taken as zero) and the ids: catches a torn or
    /// foreign file at open without reading the large sections, which cold start must not touch.
    /// </summary>
    public static ulong Checksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> ids)
    {
        const ulong prime = 0x100000001B3;
        ulong hash = 0xCBF29CE484222325;
        for (int i = 0; i < HeaderBytes; i += 8)
            hash = (hash ^ (i == ChecksumOffset ? 0 : BinaryPrimitives.ReadUInt64LittleEndian(header[i..]))) * prime;
        int words = ids.Length / 8;
        var wordSpan = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(ids[..(words * 8)]);
        foreach (ulong word in wordSpan) hash = (hash ^ word) * prime;
        for (int i = words * 8; i < ids.Length; i++) hash = (hash ^ ids[i]) * prime;
        return hash;
    }
}

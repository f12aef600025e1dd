using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Writes and opens segment files (layout in <see cref="SegmentLayout"/>). A file is written under a temporary
/// name, flushed to disk and renamed into place, so a path a column has committed always names a whole file.
/// </summary>
internal static partial class SegmentFile
{
    public const string Extension = ".seg";

    /// <summary>A new unique file name in the folder.</summary>
    public static string NewPath(string directory) => System.IO.Path.Combine(directory, $"{Guid.NewGuid():N}{Extension}");

    public static void Write(string path, SegmentImage image)
    {
        string temporary = path + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                image.WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path);
            SyncDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Opens and validates a segment: reads the front (ids, and scales, sums and int8 rows when
    /// <paramref name="loadInt8"/>) into native memory and maps the fp32 rows read-only without reading them.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a whole, valid segment; the message names it and why.</exception>
    public static unsafe SegmentData Open(string path, bool loadInt8 = true)
    {
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        byte* front = null;
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            long length = RandomAccess.GetLength(handle);
            Span<byte> header = stackalloc byte[SegmentLayout.HeaderBytes];
            if (length >= SegmentLayout.HeaderBytes && RandomAccess.Read(handle, header, 0) < SegmentLayout.HeaderBytes)
                throw Invalid(path, "header could not be read");
            string? reason = SegmentLayout.TryReadHeader(header, length, out var layout, out ulong checksum);
            if (reason is not null) throw Invalid(path, reason);

            bool withInt8 = loadInt8 && layout.Quantized;
            long frontBytes = withInt8 ? layout.VectorsOffset : layout.ScalesOffset;
            front = (byte*)NativeMemory.AlignedAlloc((nuint)frontBytes, 64);
            ReadExactly(handle, front, frontBytes, path);
            var ids = new ReadOnlySpan<int>(front + SegmentLayout.IdsOffset, layout.Count);
            if (SegmentLayout.Checksum(new ReadOnlySpan<byte>(front, SegmentLayout.HeaderBytes), MemoryMarshal.AsBytes(ids)) != checksum)
                throw Invalid(path, "checksum of header and ids does not match");
            for (int i = 1; i < ids.Length; i++)
                if (ids[i] <= ids[i - 1]) throw Invalid(path, $"ids not strictly ascending at row {i}");

            if (layout.VectorBytes > 0)
            {
                map = MemoryMappedFile.CreateFromFile(handle, mapName: null, capacity: 0, MemoryMappedFileAccess.Read,
                    HandleInheritability.None, leaveOpen: false);
                view = map.CreateViewAccessor(layout.VectorsOffset, layout.VectorBytes, MemoryMappedFileAccess.Read);
            }
            else handle.Dispose();
            return new SegmentData(layout, front, ownedVectors: null, path, map, view, hasInt8: withInt8);
        }
        catch
        {
            view?.Dispose();
            if (map is not null) map.Dispose();
            else handle.Dispose();
            if (front is not null) NativeMemory.AlignedFree(front);
            throw;
        }
    }

    private static InvalidDataException Invalid(string path, string reason) => new($"Segment file '{path}' is unusable: {reason}.");

    private static unsafe void ReadExactly(SafeFileHandle handle, byte* target, long length, string path)
    {
        for (long done = 0; done < length;)
        {
            int read = RandomAccess.Read(handle, new Span<byte>(target + done, (int)Math.Min(length - done, 1 << 30)), done);
            if (read == 0) throw Invalid(path, $"ended after {done} bytes");
            done += read;
        }
    }

    /// <summary>
    /// Makes the rename itself durable: without a sync of the folder a crash can lose the new name even though
    /// the column, committed next, already refers to it. Only POSIX needs (and allows) this.
    /// </summary>
    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD()) return;
        int descriptor = PosixOpen(directory, 0); // O_RDONLY
        if (descriptor < 0) return; // best effort: the file itself is already flushed
        PosixFsync(descriptor);
        PosixClose(descriptor);
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int PosixOpen(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int PosixFsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int PosixClose(int descriptor);
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace DeviseWeb.Engine.Storage;

/// <summary>What a directory entry is, as the kernel sees it (not what its name or attributes suggest).</summary>
public enum EntryKind { Missing, RegularFile, Directory, SymbolicLink, NamedPipe, Socket, CharacterDevice, BlockDevice, Other }

/// <summary>
/// The few POSIX calls .NET does not expose: the real type of an entry (.NET reports a FIFO or a device as a plain
/// file), the canonical path behind links, a non-blocking open (.NET's open waits forever on a FIFO with no writer)
/// and fsync of a directory (.NET refuses to open one). Linux calls; elsewhere the managed approximations.
/// </summary>
internal static partial class UnixFiles
{
    private const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, AtEmptyPath = 0x1000, StatxType = 0x1;
    private const int ReadOnly = 0, NonBlocking = 0x800, NoFollow = 0x20000, CloseOnExec = 0x80000;
    private const int StatxSize = 256, StatxModeOffset = 28;
    private const int NoSuchEntry = 2, AccessDenied = 13, NotADirectory = 20, TooManyLinks = 40, SetFlags = 4;

    /// <summary>The entry's own type; a symbolic link is reported as one, not followed.</summary>
    public static EntryKind KindOf(string path)
    {
        if (!OperatingSystem.IsLinux()) return ManagedKindOf(path);
        Span<byte> buffer = stackalloc byte[StatxSize];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, ref MemoryMarshal.GetReference(buffer)) == 0)
            return KindOfMode(BitConverter.ToUInt16(buffer[StatxModeOffset..]));
        // Gone, or the kernel (or a container's seccomp filter) does not offer statx: then what .NET can tell.
        return Marshal.GetLastPInvokeError() is NoSuchEntry or NotADirectory ? EntryKind.Missing : ManagedKindOf(path);
    }

    /// <summary>The type of an open file.</summary>
    public static EntryKind KindOf(SafeFileHandle handle)
    {
        if (!OperatingSystem.IsLinux()) return EntryKind.RegularFile;
        Span<byte> buffer = stackalloc byte[StatxSize];
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (statx((int)handle.DangerousGetHandle(), "", AtEmptyPath, StatxType, ref MemoryMarshal.GetReference(buffer)) != 0)
                throw new IOException($"cannot be examined (error {Marshal.GetLastPInvokeError()})");
            return KindOfMode(BitConverter.ToUInt16(buffer[StatxModeOffset..]));
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>The canonical absolute path with every link resolved, or null when some part does not exist.</summary>
    public static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            var info = new FileInfo(path);
            return info.Exists || Directory.Exists(path) ? (info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? info.FullName) : null;
        }
        IntPtr resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { free(resolved); }
    }

    /// <summary>
    /// Opens a file for reading without ever waiting: a FIFO opens at once (non-blocking) and is refused with the
    /// rest of what is not a regular file. Without <paramref name="followLinks"/> a link in the last component is
    /// refused too (one swapped in after a folder was listed).
    /// </summary>
    public static FileStream OpenRegularFile(string path, bool followLinks = true)
    {
        SafeFileHandle handle;
        if (OperatingSystem.IsLinux())
        {
            int fd = open(path, ReadOnly | NonBlocking | CloseOnExec | (followLinks ? 0 : NoFollow));
            if (fd < 0) throw OpenError(Marshal.GetLastPInvokeError(), path);
            handle = new SafeFileHandle((IntPtr)fd, ownsHandle: true);
        }
        else handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var kind = KindOf(handle);
            if (kind != EntryKind.RegularFile) throw new IOException($"not a regular file (a {Describe(kind)})");
            // Back to blocking reads: non-blocking only served the open, and means nothing for a regular file.
            if (OperatingSystem.IsLinux()) fcntl((int)handle.DangerousGetHandle(), SetFlags, ReadOnly);
            return new FileStream(handle, FileAccess.Read, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static Exception OpenError(int errno, string path) => errno switch
    {
        NoSuchEntry => new FileNotFoundException("file not found", path),
        AccessDenied => new UnauthorizedAccessException("permission denied"),
        TooManyLinks => new IOException("a symbolic link (not followed)"),
        _ => new IOException($"cannot be opened (error {errno})"),
    };

    /// <summary>Makes a directory's entries (a rename, a new file) durable; a no-op where directories cannot be synced.</summary>
    /// <summary>
    /// A second name for an existing file (link(2)): no bytes copied. Falls back to a copy where a hard link cannot be
    /// made (another file system, a file system without them). Returns whether it linked.
    /// </summary>
    public static bool LinkOrCopy(string existing, string created)
    {
        if (link(existing, created) == 0) return true;
        File.Copy(existing, created);
        return false;
    }

    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        int fd = open(directory, ReadOnly | CloseOnExec);
        if (fd < 0) throw new IOException($"Cannot open {directory} to sync it (error {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"Cannot sync {directory} (error {Marshal.GetLastPInvokeError()}).");
        }
        finally { close(fd); }
    }

    /// <summary>A short phrase for reports: "named pipe", "symbolic link".</summary>
    public static string Describe(EntryKind kind) => kind switch
    {
        EntryKind.RegularFile => "regular file",
        EntryKind.SymbolicLink => "symbolic link",
        EntryKind.NamedPipe => "named pipe",
        EntryKind.CharacterDevice => "character device",
        EntryKind.BlockDevice => "block device",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static EntryKind KindOfMode(ushort mode) => (mode & 0xF000) switch
    {
        0x8000 => EntryKind.RegularFile,
        0x4000 => EntryKind.Directory,
        0xA000 => EntryKind.SymbolicLink,
        0x1000 => EntryKind.NamedPipe,
        0xC000 => EntryKind.Socket,
        0x2000 => EntryKind.CharacterDevice,
        0x6000 => EntryKind.BlockDevice,
        _ => EntryKind.Other,
    };

    private static EntryKind ManagedKindOf(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null) return EntryKind.SymbolicLink;
        if (Directory.Exists(path)) return EntryKind.Directory;
        return info.Exists ? EntryKind.RegularFile : EntryKind.Missing;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int directoryFd, string path, int flags, int mask, ref byte buffer);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string existing, string created);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fcntl(int fd, int command, int argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc")]
    private static partial void free(IntPtr pointer);
}

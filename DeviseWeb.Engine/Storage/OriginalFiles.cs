using System.Security.Cryptography;

namespace DeviseWeb.Engine.Storage;

/// <summary>The content-addressed original files: written so a crash never leaves a torn one, and checked against their hash.</summary>
internal static class OriginalFiles
{
    /// <summary>Suffix of a file being written; whatever carries it was never committed and may be deleted at open.</summary>
    public const string TemporarySuffix = ".tmp";

    /// <summary>
    /// Writes bytes under a unique temporary name, syncs them, renames over <paramref name="path"/> and syncs the
    /// directory: after a crash the name holds the old content or all of the new, and once this returns the new
    /// content survives a power cut, so a record committed next never points at a file the disk lost.
    /// </summary>
    public static void WriteDurably(string path, byte[] bytes)
    {
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        bool created = !Directory.Exists(directory);
        Directory.CreateDirectory(directory);
        if (created) UnixFiles.SyncDirectory(Path.GetDirectoryName(directory)!);
        string temporary = $"{path}.{Guid.NewGuid():N}{TemporarySuffix}";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
            UnixFiles.SyncDirectory(directory);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>True when the file is a regular file whose bytes hash to <paramref name="contentHash"/>; false when unreadable.</summary>
    public static bool Matches(string path, string contentHash)
    {
        try
        {
            using var stream = UnixFiles.OpenRegularFile(path, followLinks: false);
            return string.Equals(Convert.ToHexStringLower(SHA256.HashData(stream)), contentHash, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }
}

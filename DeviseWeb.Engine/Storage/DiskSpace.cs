namespace DeviseWeb.Engine.Storage;

/// <summary>
/// Refuses a large write while the data directory's disk is nearly full, before anything is written. LiteDB 5 does
/// not recover from a disk that fills inside a transaction (its rollback fails and leaves the collection locked until
/// the process restarts), so the store is kept away from that edge: the write fails cleanly and can be retried once
/// space returns, without a restart.
/// </summary>
public static class DiskSpace
{
    /// <summary>Throws <see cref="DiskFullException"/> unless <paramref name="bytes"/> fit with the reserve left free.</summary>
    public static void EnsureRoom(EngineOptions options, long bytes, string what)
    {
        if (options.DiskReserveBytes <= 0) return;
        long free = FreeBytes(options.DataDirectory);
        if (free - bytes >= options.DiskReserveBytes) return;
        throw new DiskFullException(
            $"No space left on device for {what}: {Megabytes(free)} free on the data directory's disk, {Megabytes(bytes)} needed " +
            $"and {Megabytes(options.DiskReserveBytes)} kept in reserve (Devise:DiskReserveBytes). Free some space and try again.");
    }

    private static long FreeBytes(string directory)
    {
        var existing = Path.GetFullPath(directory);
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent) existing = parent;
        try { return new DriveInfo(existing).AvailableFreeSpace; }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return long.MaxValue; }
    }

    private static string Megabytes(long bytes) => $"{bytes / 1048576.0:0.#} MB";
}

using System.Diagnostics;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Hardening;

/// <summary>
/// A small tmpfs mounted for one test, so a disk can really run full. Mounting needs root: without it the test is
/// reported skipped with the reason (<see cref="NeedsMountFactAttribute"/>), never passed silently.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private static readonly Lazy<string?> MountProblem = new(ProbeMount);

    private SmallDisk(string path) => Path = path;

    public string Path { get; }

    /// <summary>Bytes free on the disk now.</summary>
    public long FreeBytes => new DriveInfo(Path).AvailableFreeSpace;

    /// <summary>Null when a tmpfs can be mounted here; else why not.</summary>
    public static string? CannotMount => MountProblem.Value;

    public static SmallDisk Mount(int megabytes)
    {
        var path = TestData.NewTemporaryDirectory("small-disk");
        var error = Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path);
        if (error is not null) throw new InvalidOperationException("Could not mount a tmpfs: " + error);
        return new SmallDisk(path);
    }

    /// <summary>Fills the disk with one file until only about <paramref name="leaveBytes"/> are free; returns the file.</summary>
    public string Fill(long leaveBytes)
    {
        var filler = System.IO.Path.Combine(Path, "filler.bin");
        using var stream = new FileStream(filler, FileMode.Create, FileAccess.Write);
        var block = new byte[64 * 1024];
        while (FreeBytes - block.Length > leaveBytes) stream.Write(block);
        return filler;
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        TestData.DeleteQuietly(Path);
    }

    private static string? ProbeMount()
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts are Linux-only";
        if (Environment.UserName != "root") return "mounting a tmpfs needs root";
        try
        {
            using var disk = Mount(1);
            return null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { return e.Message; }
    }

    /// <summary>Runs a system command; null when it succeeded, else what it printed.</summary>
    private static string? Run(string command, params string[] args)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        string errors = process.StandardError.ReadToEnd() + process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : $"{command} exited {process.ExitCode}: {errors.Trim()}";
    }
}

/// <summary>A fact that needs a real small disk: skipped, with the reason shown, where a tmpfs cannot be mounted.</summary>
public sealed class NeedsMountFactAttribute : FactAttribute
{
    public NeedsMountFactAttribute()
    {
        if (SmallDisk.CannotMount is { } reason) base.Skip = "Needs a tmpfs mount (root): " + reason;
    }
}

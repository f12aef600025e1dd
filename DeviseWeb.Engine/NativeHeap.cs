using System.Runtime.InteropServices;

namespace DeviseWeb.Engine;

/// <summary>
/// Hands the C heap's free memory back to the system. glibc keeps what native code frees (libtorch's and ONNX
/// Runtime's tensors, per insert and per batch) in its arenas, so a process that embedded 10,000 images one at a time
/// held several MB more than it used (the bench's memory step at 100k: 1.27× those images' vectors before a trim,
/// 1.03× after). Called after work that churns native memory in bulk: a job, a seal or compaction.
/// </summary>
public static partial class NativeHeap
{
    private static int _unavailable;

    /// <summary>Trims glibc's arenas; does nothing where there is no glibc (another OS, musl).</summary>
    public static void Trim()
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref _unavailable) == 1) return;
        try
        {
            malloc_trim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref _unavailable, 1);
        }
    }

    [LibraryImport("libc")]
    private static partial int malloc_trim(nuint pad);
}

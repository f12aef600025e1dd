using System.Diagnostics;
using System.Globalization;

namespace DeviseWeb.Engine;

/// <summary>
/// Test-only crash switch: <c>DEVISE_FAULT_POINT=name</c> (or <c>name:N</c>) kills this process with SIGKILL the
/// first (or Nth) time the named point is passed, so crash-consistency tests stop it at an exact step instead of
/// by timing luck. Read once at start; unset (every real run), a point costs two field reads. In-process tests
/// stop a step instead with <see cref="Intercept"/>.
/// </summary>
internal static class FaultPoints
{
    public const string EnvironmentVariable = "DEVISE_FAULT_POINT";

    /// <summary>An original is in place under its final name; its record has not committed.</summary>
    public const string OriginalWritten = "original-written";

    /// <summary>A folder import has handled N files (added, duplicate or rejected).</summary>
    public const string ImportFileDone = "import-file-done";

    /// <summary>Training has finished epoch N; nothing of the new version is stored yet.</summary>
    public const string TrainingEpoch = "training-epoch";

    /// <summary>A new version's segment files are written; the column that lists them has not committed.</summary>
    public const string BulkSegmentsWritten = "bulk-segments-written";

    /// <summary>Activation has embedded (and committed) what the version lacked; the switch has not committed.</summary>
    public const string ActivationBeforeSwitch = "activation-before-switch";

    /// <summary>A seal or compaction has written its segment file; the column manifest has not committed.</summary>
    public const string SegmentWritten = "segment-written";

    /// <summary>A store write with in-memory changes to publish (an index add or remove) has committed; they are not published yet.</summary>
    public const string WriteCommitted = "write-committed";

    /// <summary>A store write is about to wait for the store's lock, which another write holds.</summary>
    public const string WriteLockContended = "write-lock-contended";

    /// <summary>A catch-up batch (embedding what a version lacks) is embedded; its rows are not written yet.</summary>
    public const string CatchUpBatchEmbedded = "catch-up-batch-embedded";

    private static readonly AsyncLocal<Action<string>?> Interceptor = new();
    private static int _intercepting;

    private static readonly string? ArmedName;
    private static readonly int ArmedHit;
    private static int _hits;

    static FaultPoints()
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value)) return;
        var parts = value.Split(':', 2, StringSplitOptions.TrimEntries);
        ArmedName = parts[0];
        ArmedHit = parts.Length == 2 && int.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0 ? n : 1;
    }

    /// <summary>
    /// Test hook: <paramref name="onHit"/> runs, on the passing thread, at every point passed by code that flows from
    /// the caller's execution context (the tasks and threads it starts), until the result is disposed. Other tests
    /// running meanwhile never see it.
    /// </summary>
    public static IDisposable Intercept(Action<string> onHit)
    {
        Volatile.Write(ref _intercepting, 1);
        var previous = Interceptor.Value;
        Interceptor.Value = onHit;
        return new Restore(previous);
    }

    /// <summary>Passes a named point; dies here when it is the armed one and this is its armed hit.</summary>
    public static void Hit(string name)
    {
        if (Volatile.Read(ref _intercepting) != 0) Interceptor.Value?.Invoke(name);
        if (ArmedName is null || !string.Equals(ArmedName, name, StringComparison.Ordinal)) return;
        if (Interlocked.Increment(ref _hits) != ArmedHit) return;
        Console.Error.WriteLine($"fault point {name}:{ArmedHit} reached: killing process {Environment.ProcessId}");
        Console.Error.Flush();
        // SIGKILL on Unix: no finally blocks, no disposal, no flush — what a power cut or the OOM killer leaves.
        using (var self = Process.GetCurrentProcess()) self.Kill();
        Environment.FailFast($"fault point {name} reached"); // only if the kill did not land at once
    }

    private sealed class Restore(Action<string>? previous) : IDisposable
    {
        public void Dispose() => Interceptor.Value = previous;
    }
}

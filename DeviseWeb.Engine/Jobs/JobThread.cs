using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace DeviseWeb.Engine.Jobs;

/// <summary>
/// The one thread background jobs compute on, at a lower CPU priority than requests (<see cref="EngineOptions.JobCpuPriority"/>),
/// so that on a small machine a search never queues behind training for a core: the kernel runs a waiting request
/// thread first. Threads a job's computation starts from here (libtorch's OpenMP team) inherit the priority. Work
/// that an async job hands to the thread pool after an await runs at normal priority.
/// A thread, not pool threads: an unprivileged process can lower a thread's priority but never raise it back.
/// </summary>
public sealed partial class JobThread : IDisposable
{
    private readonly BlockingCollection<Action> _work = new();
    private readonly Lazy<Thread> _thread;

    public JobThread(EngineOptions options)
    {
        Priority = options.JobCpuPriority;
        _thread = new Lazy<Thread>(() =>
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = "devise-jobs" };
            thread.Start();
            return thread;
        });
    }

    public JobCpuPriority Priority { get; }

    /// <summary>Whether the thread's priority was lowered as asked (false: the OS refused or has no such call; jobs then run at normal priority).</summary>
    public bool Lowered { get; private set; }

    public Task<T> RunAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = _thread.Value;
        _work.Add(() =>
        {
            try { done.SetResult(work()); }
            catch (OperationCanceledException e) { done.SetCanceled(e.CancellationToken); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task;
    }

    private void Loop()
    {
        Lowered = Lower(Priority);
        foreach (var work in _work.GetConsumingEnumerable()) work();
    }

    private static bool Lower(JobCpuPriority priority)
    {
        if (priority == JobCpuPriority.Normal || !OperatingSystem.IsLinux()) return priority == JobCpuPriority.Normal;
        try
        {
            int thread = gettid();
            if (priority == JobCpuPriority.Idle)
            {
                var none = new SchedParam();
                return sched_setscheduler(thread, SchedIdle, ref none) == 0;
            }
            return setpriority(PrioProcess, (uint)thread, LowNice) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        if (_thread.IsValueCreated) _thread.Value.Join(TimeSpan.FromSeconds(5));
        _work.Dispose();
    }

    private const int SchedIdle = 5, PrioProcess = 0, LowNice = 10;

    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [LibraryImport("libc")]
    private static partial int gettid();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setscheduler(int pid, int policy, ref SchedParam param);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setpriority(int which, uint who, int priority);
}

/// <summary>How the job thread competes with requests for the CPU.</summary>
public enum JobCpuPriority
{
    /// <summary>As requests do.</summary>
    Normal,
    /// <summary>Nice 10: about a tenth of a core's share against a busy request thread.</summary>
    Low,
    /// <summary>Linux SCHED_IDLE: only when no request thread wants the core.</summary>
    Idle,
}

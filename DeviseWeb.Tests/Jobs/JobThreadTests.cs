using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;

namespace DeviseWeb.Tests.Jobs;

/// <summary>The thread jobs compute on: below requests' CPU priority, and it hands back results, errors and cancellations.</summary>
public sealed class JobThreadTests
{
    [Fact]
    public async Task Idle_WorkRunsUnderSchedIdle()
    {
        using var thread = new JobThread(new EngineOptions { JobCpuPriority = JobCpuPriority.Idle });

        var (policy, _, name) = await thread.RunAsync(ThisThread);

        Assert.True(thread.Lowered);
        Assert.Equal(SchedIdle, policy);
        Assert.Equal("devise-jobs", name);
    }

    [Fact]
    public async Task Low_WorkRunsAtNiceTen()
    {
        using var thread = new JobThread(new EngineOptions { JobCpuPriority = JobCpuPriority.Low });

        var (policy, nice, _) = await thread.RunAsync(ThisThread);

        Assert.True(thread.Lowered);
        Assert.Equal(SchedOther, policy);
        Assert.Equal(10, nice);
    }

    [Fact]
    public async Task Normal_WorkRunsAsRequestsDo()
    {
        using var thread = new JobThread(new EngineOptions { JobCpuPriority = JobCpuPriority.Normal });

        var (policy, nice, _) = await thread.RunAsync(ThisThread);

        Assert.Equal(SchedOther, policy);
        Assert.Equal(0, nice);
    }

    [Fact]
    public async Task RunAsync_WorkThrowsOrIsCancelled_TheTaskSaysSoAndTheThreadGoesOn()
    {
        using var thread = new JobThread(new EngineOptions());
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        await Assert.ThrowsAsync<InvalidOperationException>(() => thread.RunAsync<int>(() => throw new InvalidOperationException("broken")));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => thread.RunAsync(() =>
        {
            cancelled.Token.ThrowIfCancellationRequested();
            return 0;
        }));
        Assert.Equal(42, await thread.RunAsync(() => 42));
    }

    private const int SchedOther = 0, SchedIdle = 5;

    /// <summary>The calling thread's scheduling policy, nice value and name, from /proc/thread-self/stat.</summary>
    private static (int Policy, int Nice, string Name) ThisThread()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' '); // fields from the third (state) on
        return (int.Parse(fields[41 - 3]), int.Parse(fields[19 - 3]), stat[(open + 1)..close]);
    }
}

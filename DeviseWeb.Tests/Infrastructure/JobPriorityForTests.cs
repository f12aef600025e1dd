using System.Runtime.CompilerServices;

namespace DeviseWeb.Tests.Infrastructure;

/// <summary>
/// The tests' hosts, in this process and the apps and CLIs they start, run jobs at normal priority. Test classes run
/// side by side on two cores, so a job under SCHED_IDLE (the product's default) would wait for every other class's
/// threads and time out; the idle-priority job thread has its own tests (JobThreadTests, TrainingUnderPreemptionTests).
/// </summary>
internal static class JobPriorityForTests
{
    [ModuleInitializer]
    internal static void NormalPriorityJobs()
    {
        if (Environment.GetEnvironmentVariable("Devise__JobCpuPriority") is null)
            Environment.SetEnvironmentVariable("Devise__JobCpuPriority", "Normal");
    }
}

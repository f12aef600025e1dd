using DeviseWeb.Engine.Jobs;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Jobs;

/// <summary>Job records: the history's order and its bound.</summary>
public sealed class JobRepositoryTests
{
    [Fact]
    public async Task Recent_JobsQueuedWithinOneMillisecond_ComeNewestFirst()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var repository = engine.Get<JobRepository>();
        var start = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        foreach (int tick in new[] { 2, 0, 3, 1 }) repository.Save(Job($"job-{tick}", start.AddTicks(tick)));

        Assert.Equal(["job-3", "job-2", "job-1", "job-0"], repository.Recent(10).Select(j => j.Id));
        Assert.Equal(start.AddTicks(3), repository.Find("job-3")!.CreatedUtc);
    }

    [Fact]
    public async Task Prune_MoreJobsThanTheLimit_DropsTheOldestEvenWithinOneMillisecond()
    {
        await using var engine = await EngineHost.StartEmptyAsync(o => o.JobHistoryLimit = 2);
        var repository = engine.Get<JobRepository>();
        var start = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        foreach (int tick in new[] { 2, 0, 3, 1 }) repository.Save(Job($"job-{tick}", start.AddTicks(tick)));

        repository.Prune();

        Assert.Equal(["job-3", "job-2"], repository.Recent(10).Select(j => j.Id));
    }

    private static JobInfo Job(string id, DateTime created) =>
        new(id, JobKind.Compaction, JobState.Finished, "Compact the vector columns", new JobRequest { Kind = JobKind.Compaction },
            created, created, created, null, null, [], [], null, null);
}

using DeviseWeb.Engine.Jobs;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Jobs;

/// <summary>Job records: the history's order and its bound, and records an older release wrote.</summary>
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

    [Fact]
    public async Task Recent_RecordsOfARemovedKindAndOfRemovedOptions_StillRead()
    {
        // Arrange: two records as the previous release wrote them: an augmented-views job, and a training job whose
        // options and progress name methods that have since left the product.
        await using var engine = await EngineHost.StartEmptyAsync();
        var jobs = engine.Get<DeviseWeb.Engine.Storage.DeviseDatabase>().Lite.GetCollection("jobs");
        var created = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);
        jobs.Insert(Record("views1", "FeatureViews", created, "Compute 2 augmented views per image on white",
            request: """{"kind":"FeatureViews","views":{"count":2,"background":"White"}}""",
            result: """{"views":{"images":10,"viewsComputed":20}}"""));
        jobs.Insert(Record("train1", "Training", created.AddTicks(1), "Train 3 epochs",
            request: """{"kind":"Training","training":{"epochs":3,"normalizeDomains":true,"augmentedViews":2,"targetTemplate":"a {0}","weightDecay":0.01}}""",
            training: """{"phase":"Epoch","epoch":3,"epochs":3,"step":5,"stepsPerEpoch":5,"trainLoss":0.2,"learningRate":0.001,"elapsed":"00:00:03","pass":2,"passes":2,"photoEvaluation":true}"""));

        // Act
        var recent = engine.Get<JobRepository>().Recent(10);

        // Assert
        var views = recent.Single(j => j.Id == "views1");
        Assert.Equal((JobKind.Removed, JobState.Finished), (views.Kind, views.State));
        Assert.Equal("Compute 2 augmented views per image on white", views.Description);
        var training = recent.Single(j => j.Id == "train1");
        Assert.Equal(JobKind.Training, training.Kind);
        Assert.Equal(3, training.Request.Training!.Epochs);
        Assert.Equal(1.0, training.Training!.Fraction);
        Assert.Equal(2, engine.Get<JobQueue>().Recent().Count); // what the API and the pages list
    }

    private static LiteDB.BsonDocument Record(string id, string kind, DateTime created, string description, string request, string? result = null, string? training = null) => new()
    {
        ["_id"] = id, ["Kind"] = kind, ["State"] = "Finished", ["Description"] = description, ["Request"] = request,
        ["CreatedUtc"] = created, ["CreatedTicks"] = created.Ticks, ["StartedUtc"] = created, ["EndedUtc"] = created,
        ["Training"] = training is null ? LiteDB.BsonValue.Null : training, ["Epochs"] = new LiteDB.BsonArray(), ["Log"] = new LiteDB.BsonArray(),
        ["Result"] = result is null ? LiteDB.BsonValue.Null : result, ["Error"] = LiteDB.BsonValue.Null,
    };

    private static JobInfo Job(string id, DateTime created) =>
        new(id, JobKind.Compaction, JobState.Finished, "Compact the vector columns", new JobRequest { Kind = JobKind.Compaction },
            created, created, created, null, null, [], [], null, null);
}

using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Training;
using DeviseWeb.Tests.Infrastructure;

namespace DeviseWeb.Tests.Jobs;

/// <summary>The one durable job queue, on private copies of the template: order, cancellation, events, restarts, shutdown.</summary>
[Trait(TestCategory.Name, TestCategory.Slow)]
public sealed class JobQueueTests
{
    /// <summary>A training run far longer than any test waits for: tests cancel it or stop the host under it.</summary>
    private static readonly JobRequest EndlessTraining =
        new() { Kind = JobKind.Training, Training = new TrainingOptions { Epochs = 10_000, HeldOutLabelCount = 0, Activate = false } };

    private static readonly JobRequest ShortTraining =
        new() { Kind = JobKind.Training, Training = new TrainingOptions { Epochs = 4, HeldOutLabelCount = 0, Activate = false } };

    private static readonly JobRequest Compaction = new() { Kind = JobKind.Compaction };

    [Fact]
    public async Task Enqueue_SeveralJobs_RunOneAtATimeInEnqueueOrder()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var queue = engine.Get<JobQueue>();
        using var events = new EventLog(queue);

        JobInfo[] jobs =
        [
            queue.Enqueue(ShortTraining),
            queue.Enqueue(new JobRequest { Kind = JobKind.Vocabulary }),
            queue.Enqueue(Compaction),
            queue.Enqueue(new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(TemplateData.NotImportedPath(0), "apple") }),
        ];
        foreach (var job in jobs) Assert.Equal(JobState.Finished, (await engine.WaitAsync(job.Id)).State);

        var expected = jobs.SelectMany(j => new[] { (j.Id, JobEventType.Started), (j.Id, JobEventType.Finished) });
        Assert.Equal(expected, events.Matching(e => e.Type is JobEventType.Started or JobEventType.Finished).Select(e => (e.JobId, e.Type)));
    }

    [Fact]
    public async Task Cancel_QueuedJob_EndsItCancelledWithoutStarting()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var queue = engine.Get<JobQueue>();
        using var events = new EventLog(queue);
        var running = queue.Enqueue(EndlessTraining);
        var waiting = queue.Enqueue(Compaction);

        bool cancelled = queue.Cancel(waiting.Id);

        var ended = await engine.WaitAsync(waiting.Id);
        Assert.True(cancelled);
        Assert.Equal(JobState.Cancelled, ended.State);
        Assert.Null(ended.StartedUtc);
        Assert.Equal([JobEventType.Queued, JobEventType.Cancelled], events.Matching(e => e.JobId == waiting.Id).Select(e => e.Type));
        Assert.False(queue.Cancel(waiting.Id));
        Assert.Equal(running.Id, queue.Active?.Id);
        queue.Cancel(running.Id);
        await engine.WaitAsync(running.Id);
    }

    [Fact]
    public async Task Cancel_RunningTraining_EndsItCancelledAndSavesNoVersion()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var queue = engine.Get<JobQueue>();
        using var events = new EventLog(queue);
        var job = queue.Enqueue(EndlessTraining);
        await events.WaitForAsync(e => e.JobId == job.Id && e.Type == JobEventType.Epoch);

        bool cancelled = queue.Cancel(job.Id);

        var ended = await engine.WaitAsync(job.Id);
        Assert.True(cancelled);
        Assert.Equal(JobState.Cancelled, ended.State);
        Assert.Null(ended.Result);
        Assert.NotEmpty(ended.Epochs);
        Assert.Single(engine.Get<ModelService>().List());
        Assert.Single(engine.Get<VectorColumnStore>().ColumnNames(), c => c.StartsWith("embeddings/", StringComparison.Ordinal));
        Assert.Null(queue.Active);
    }

    [Fact]
    public async Task Subscribe_TrainingJob_HearsQueuedStartedProgressAndEveryEpochThenFinished()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync();
        var queue = engine.Get<JobQueue>();
        using var events = new EventLog(queue);

        var job = await engine.RunJobAsync(ShortTraining);

        var mine = events.Matching(e => e.JobId == job.Id).ToList();
        int epochs = ShortTraining.Training!.Epochs;
        Assert.Equal([JobEventType.Queued, JobEventType.Started], mine.Take(2).Select(e => e.Type));
        Assert.Equal(JobEventType.Finished, mine[^1].Type);
        Assert.All(mine.Skip(2).SkipLast(1), e => Assert.Contains(e.Type, new[] { JobEventType.Progress, JobEventType.Epoch }));
        Assert.Equal(Enumerable.Range(1, epochs), mine.Where(e => e.Type == JobEventType.Epoch).Select(e => e.Epoch!.Epoch));
        Assert.Equal((JobState.Finished, epochs), (mine[^1].Job!.State, mine[^1].Job!.Result!.Model!.History.Count));
        Assert.Equal(epochs, job.Epochs.Count);
    }

    [Theory]
    [InlineData(JobState.Running, "stopped while this job ran")]
    [InlineData(JobState.Queued, "stopped before this job ran")]
    public async Task Start_JobLeftActiveByAProcessThatDied_IsMarkedInterrupted(JobState leftAs, string error)
    {
        var directory = await TemplateData.CopyAsync();
        try
        {
            await using (var crashed = await EngineHost.StartAsync(directory))
            {
                var now = DateTime.UtcNow;
                crashed.Get<JobRepository>().Save(new JobInfo("left-behind", JobKind.Training, leftAs, "Train 30 epochs", ShortTraining,
                    now, leftAs == JobState.Running ? now : null, null, null, null, [], [], null, null));
            }

            await using var restarted = await EngineHost.StartAsync(directory);

            var job = restarted.Get<JobQueue>().Get("left-behind")!;
            Assert.Equal(JobState.Interrupted, job.State);
            Assert.Contains(error, job.Error);
            Assert.NotNull(job.EndedUtc);
            Assert.Equal(JobState.Finished, (await restarted.RunJobAsync(Compaction)).State);
        }
        finally
        {
            TemplateData.DeleteQuietly(directory);
        }
    }

    [Fact]
    public async Task StopAsync_WhileTrainingRuns_InterruptsItAndTheQueueWaitsForItBeforeReturning()
    {
        var directory = await TemplateData.CopyAsync();
        try
        {
            JobInfo running, waiting;
            await using (var engine = await EngineHost.StartAsync(directory))
            {
                var queue = engine.Get<JobQueue>();
                using var events = new EventLog(queue);
                running = queue.Enqueue(EndlessTraining);
                waiting = queue.Enqueue(Compaction);
                await events.WaitForAsync(e => e.JobId == running.Id && e.Type == JobEventType.Epoch);

                await engine.StopAsync();

                var stored = engine.Get<JobRepository>();
                Assert.Equal(JobState.Interrupted, stored.Find(running.Id)!.State);
                Assert.Contains("stopped while this job ran", stored.Find(running.Id)!.Error);
                Assert.Equal(JobState.Interrupted, stored.Find(waiting.Id)!.State);
                Assert.Null(stored.Find(waiting.Id)!.StartedUtc);
            }

            await using var reopened = await EngineHost.StartAsync(directory);

            Assert.Equal(JobState.Interrupted, reopened.Get<JobQueue>().Get(running.Id)!.State);
            Assert.Single(reopened.Get<ModelService>().List());
            Assert.True((await reopened.TrainAsync(ShortTraining.Training! with { Activate = true })).IsActive);
        }
        finally
        {
            TemplateData.DeleteQuietly(directory);
        }
    }

    [Fact]
    public async Task Ended_MoreJobsThanTheHistoryKeeps_ForgetsTheOldest()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync(o => o.JobHistoryLimit = 3);
        var queue = engine.Get<JobQueue>();

        var ids = new List<string>();
        for (int i = 0; i < 6; i++) ids.Add((await engine.RunJobAsync(Compaction)).Id);

        Assert.Equal(ids[^3..].AsEnumerable().Reverse(), queue.Recent(100).Select(j => j.Id));
        Assert.All(ids[..3], id => Assert.Null(queue.Get(id)));
    }

    [Fact]
    public async Task Enqueue_QueueFull_ThrowsConflict()
    {
        await using var engine = await EngineHost.StartOnTemplateAsync(o => o.JobQueueCapacity = 1);
        var queue = engine.Get<JobQueue>();
        using var events = new EventLog(queue);
        var running = queue.Enqueue(EndlessTraining);
        await events.WaitForAsync(e => e.JobId == running.Id && e.Type == JobEventType.Started);
        var waiting = queue.Enqueue(Compaction);

        var error = Assert.Throws<ConflictException>(() => queue.Enqueue(Compaction));

        Assert.Contains("full", error.Message);
        queue.Cancel(waiting.Id);
        queue.Cancel(running.Id);
        await engine.WaitAsync(running.Id);
    }

    [Fact]
    public async Task Lookups_UnknownJob_AreEmptyOrNotFound()
    {
        await using var engine = await EngineHost.StartEmptyAsync();
        var queue = engine.Get<JobQueue>();

        Assert.Null(queue.Get("no-such-job"));
        Assert.False(queue.Cancel("no-such-job"));
        await Assert.ThrowsAsync<NotFoundException>(() => queue.WaitAsync("no-such-job"));
        Assert.Null(queue.Active);
        Assert.Null(queue.Latest(JobKind.Training));
    }

    /// <summary>Every event the queue publishes, in order, and a way to wait for one.</summary>
    private sealed class EventLog : IDisposable
    {
        private readonly object _lock = new();
        private readonly List<JobEvent> _events = [];
        private readonly List<(Func<JobEvent, bool> Match, TaskCompletionSource Seen)> _waiters = [];
        private readonly IDisposable _subscription;

        public EventLog(JobQueue queue) => _subscription = queue.Subscribe(Add);

        public IReadOnlyList<JobEvent> Matching(Func<JobEvent, bool> match)
        {
            lock (_lock) return _events.Where(match).ToList();
        }

        public Task WaitForAsync(Func<JobEvent, bool> match)
        {
            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lock)
            {
                if (_events.Any(match)) return Task.CompletedTask;
                _waiters.Add((match, seen));
            }
            return seen.Task.WaitAsync(TimeSpan.FromMinutes(5)); // a guard against a hang, not a speed requirement
        }

        private void Add(JobEvent e)
        {
            lock (_lock)
            {
                _events.Add(e);
                foreach (var waiter in _waiters.Where(w => w.Match(e)).ToList())
                {
                    waiter.Seen.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }

        public void Dispose() => _subscription.Dispose();
    }
}

using System.Threading.Channels;
using DeviseWeb.Engine.Training;
using Microsoft.Extensions.Logging;

namespace DeviseWeb.Engine.Jobs;

/// <summary>
/// The one queue for long work (import, training, activation, evaluation, the vocabulary, compaction): a bounded channel that
/// the <see cref="JobWorker"/> drains one job at a time. Jobs are persisted as they change; listeners read one
/// stream of <see cref="JobEvent"/>s. Step progress is thinned to a few events a second; state changes and
/// epochs are never dropped.
/// </summary>
public sealed class JobQueue
{
    private const int MaxLogLines = 200;
    private const int LatestScanDepth = 200;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(2);

    private readonly object _lock = new();
    private readonly Dictionary<JobKind, IJobHandler> _handlers;
    private readonly JobRepository _repository;
    private readonly ILogger<JobQueue> _logger;
    private readonly Channel<LiveJob> _channel;
    private readonly int _capacity;
    private readonly Dictionary<string, LiveJob> _live = new(StringComparer.Ordinal);
    private readonly List<Action<JobEvent>> _listeners = [];

    public JobQueue(IEnumerable<IJobHandler> handlers, JobRepository repository, EngineOptions options, ILogger<JobQueue> logger)
    {
        _handlers = handlers.ToDictionary(h => h.Kind);
        _repository = repository;
        _logger = logger;
        _capacity = options.JobQueueCapacity;
        _channel = Channel.CreateBounded<LiveJob>(new BoundedChannelOptions(_capacity) { SingleReader = true });
        foreach (var job in _repository.MarkInterrupted())
            _logger.LogWarning("Job {JobId} ({Kind}) was interrupted when the app last stopped", job.Id, job.Kind);
        _repository.Prune();
    }

    internal ChannelReader<LiveJob> Reader => _channel.Reader;

    internal IJobHandler HandlerFor(JobKind kind) => _handlers[kind];

    /// <summary>Queues a job; throws <see cref="InvalidInputException"/> for a bad request, <see cref="ConflictException"/> when the queue is full.</summary>
    public JobInfo Enqueue(JobRequest request)
    {
        if (!_handlers.TryGetValue(request.Kind, out var handler)) throw new InvalidInputException($"No handler for {request.Kind} jobs.");
        handler.Validate(request);
        var job = new LiveJob(Guid.NewGuid().ToString("N")[..12], request, handler.Describe(request));
        lock (_lock)
        {
            if (_live.Count(j => j.Value.State == JobState.Queued) >= _capacity) throw new ConflictException("The job queue is full; wait for a job to finish.");
            _live[job.Id] = job;
        }
        // Queued is told before the worker can see the job, so listeners get Queued, then Started.
        Persist(job);
        Publish(job, JobEventType.Queued, message: "Queued: " + job.Description, withJob: true);
        if (!_channel.Writer.TryWrite(job))
        {
            Ended(job, JobState.Failed, null, "The job queue is full.", "Failed: the job queue is full");
            throw new ConflictException("The job queue is full; wait for a job to finish.");
        }
        return job.Snapshot();
    }

    /// <summary>Cancels a queued or running job; false when it is not active.</summary>
    public bool Cancel(string jobId)
    {
        LiveJob? job;
        lock (_lock) job = _live.GetValueOrDefault(jobId);
        if (job is null || !job.IsActive) return false;
        if (job.TryCancelQueued()) Ended(job, JobState.Cancelled, null, null, "Cancelled before it started");
        else job.Cancellation.Cancel();
        return true;
    }

    public JobInfo? Get(string jobId)
    {
        lock (_lock) if (_live.TryGetValue(jobId, out var job)) return job.Snapshot();
        return _repository.Find(jobId);
    }

    /// <summary>The newest jobs first, live ones with their latest progress.</summary>
    public IReadOnlyList<JobInfo> Recent(int take = 50)
    {
        var stored = _repository.Recent(take);
        lock (_lock) return stored.Select(j => _live.TryGetValue(j.Id, out var live) ? live.Snapshot() : j).ToList();
    }

    /// <summary>The running job, else the oldest queued one; null when idle.</summary>
    public JobInfo? Active
    {
        get
        {
            lock (_lock)
                return (_live.Values.FirstOrDefault(j => j.State == JobState.Running)
                    ?? _live.Values.Where(j => j.State == JobState.Queued).MinBy(j => j.CreatedUtc))?.Snapshot();
        }
    }

    /// <summary>The active job of a kind, else the newest of that kind.</summary>
    public JobInfo? Latest(JobKind kind)
    {
        lock (_lock)
        {
            var live = _live.Values.Where(j => j.Request.Kind == kind && j.IsActive).MinBy(j => j.CreatedUtc);
            if (live is not null) return live.Snapshot();
        }
        return Recent(LatestScanDepth).FirstOrDefault(j => j.Kind == kind);
    }

    public IDisposable Subscribe(Action<JobEvent> listener)
    {
        lock (_lock) _listeners.Add(listener);
        return new Subscription(() => { lock (_lock) _listeners.Remove(listener); });
    }

    /// <summary>Completes with the job's final state.</summary>
    public async Task<JobInfo> WaitAsync(string jobId, CancellationToken cancellationToken = default)
    {
        LiveJob? job;
        lock (_lock) job = _live.GetValueOrDefault(jobId);
        if (job is null) return Get(jobId) ?? throw new NotFoundException($"No job {jobId}.");
        await job.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        // From memory, not the store: on a full disk the final state may never have been saved.
        return job.Snapshot();
    }

    // ---- called by the worker ----

    /// <summary>False when the job was cancelled while it waited.</summary>
    internal bool TryStart(LiveJob job)
    {
        if (!job.TryStart()) return false;
        Persist(job);
        Publish(job, JobEventType.Started, message: "Started: " + job.Description, withJob: true);
        return true;
    }

    internal void ReportProgress(LiveJob job, JobProgress progress)
    {
        // As for training: a pass's start (activation's, evaluation's) and its end are never thinned away.
        bool passChanged = progress.Phase is { } pass && job.Progress?.Phase?.Number != pass.Number;
        job.Progress = progress;
        if (passChanged) Persist(job);
        PublishThinned(job, JobEventType.Progress, progress: progress,
            final: passChanged || progress.Phase is { Fraction: >= 1 } || (progress.Done is { } d && d == progress.Total));
    }

    internal void ReportTraining(LiveJob job, TrainingProgress training)
    {
        bool epochs = training.Phase != TrainingPhase.Pass;
        var pass = training.PassProgress;
        var progress = new JobProgress(training.Fraction,
            epochs ? training.Epoch : (int?)pass?.Done, epochs ? training.Epochs : (int?)pass?.Total,
            epochs ? $"Epoch {training.Epoch}/{training.Epochs}" : pass is null ? null : $"{pass.Name} ({pass.Number}/{pass.Count})",
            training.Elapsed, training.Remaining, pass);
        // A pass's start and end are never thinned away: every listener sees each pass, in order.
        bool passChanged = pass is not null && job.Training?.PassProgress?.Number != pass.Number;
        bool passEnded = pass is not null && pass.Fraction >= 1;
        job.Progress = progress;
        job.Training = training;
        if (passChanged) Persist(job);
        if (training.Phase == TrainingPhase.Epoch)
        {
            var metrics = new EpochMetrics(training.Epoch, training.TrainLoss, training.ValidationLoss, training.LearningRate, training.Elapsed.TotalSeconds);
            job.AddEpoch(metrics);
            Persist(job);
            Publish(job, JobEventType.Epoch, progress, training, metrics,
                $"Epoch {training.Epoch}/{training.Epochs}: train loss {training.TrainLoss:0.0000}, validation loss {training.ValidationLoss:0.0000}");
            return;
        }
        PublishThinned(job, JobEventType.Progress, progress, training,
            final: passChanged || passEnded || (epochs && training.Step == training.StepsPerEpoch));
    }

    internal void Log(LiveJob job, string message) => Publish(job, JobEventType.Progress, job.Progress, message: message);

    internal void Ended(LiveJob job, JobState state, JobResult? result, string? error, string message)
    {
        job.End(state, result, error);
        Persist(job);
        lock (_lock) _live.Remove(job.Id);
        var type = state switch
        {
            JobState.Finished => JobEventType.Finished,
            JobState.Cancelled => JobEventType.Cancelled,
            JobState.Interrupted => JobEventType.Interrupted,
            _ => JobEventType.Failed,
        };
        Publish(job, type, job.Progress, message: message, withJob: true);
        try { _repository.Prune(); } // before completion, so whoever waits on the job sees the pruned history
        catch (Exception e) when (e is not OutOfMemoryException) { _logger.LogWarning(e, "Could not prune the job history"); }
        job.Completion.TrySetResult();
    }

    private void PublishThinned(LiveJob job, JobEventType type, JobProgress? progress = null, TrainingProgress? training = null, bool final = false)
    {
        var now = DateTime.UtcNow;
        if (now - job.LastPublishedUtc < ProgressInterval && !final) return;
        job.LastPublishedUtc = now;
        if (now - job.LastPersistedUtc >= PersistInterval) Persist(job);
        Publish(job, type, progress, training);
    }

    private void Persist(LiveJob job)
    {
        job.LastPersistedUtc = DateTime.UtcNow;
        try { _repository.Save(job.Snapshot()); }
        catch (Exception e) when (e is not OutOfMemoryException) { _logger.LogWarning(e, "Could not save job {JobId}", job.Id); }
    }

    private void Publish(LiveJob job, JobEventType type, JobProgress? progress = null, TrainingProgress? training = null,
        EpochMetrics? epoch = null, string? message = null, bool withJob = false)
    {
        var now = DateTime.UtcNow;
        Action<JobEvent>[] listeners;
        if (message is not null) job.AddLog($"{now:HH:mm:ss} {message}", MaxLogLines);
        lock (_lock) listeners = [.. _listeners];
        var e = new JobEvent(job.Id, job.Request.Kind, type, now, progress, training, epoch, message, withJob ? job.Snapshot() : null);
        foreach (var listener in listeners)
        {
            try { listener(e); }
            catch (Exception ex) { _logger.LogDebug(ex, "A job listener failed"); } // a failing listener must not stop the job or the others
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;
        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

namespace DeviseWeb.Engine.Training;

/// <summary>
/// Runs one training job at a time in the background. Jobs outlive the pages that start them: a page reattaches
/// by reading <see cref="Current"/> and subscribing. Step progress is thinned to a few events a second; epoch
/// and end events are never dropped.
/// </summary>
public sealed class TrainingJobRunner(DeviseEngine engine)
{
    private const int MaxLogLines = 200;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(150);

    private readonly object _lock = new();
    private readonly List<Action<TrainingJobEvent>> _listeners = [];
    private readonly Dictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private Job? _running;

    private sealed class Job(string id, TrainingOptions options)
    {
        public string Id { get; } = id;
        public TrainingOptions Options { get; } = options;
        public CancellationTokenSource Cancellation { get; } = new();
        public TrainingJobState State { get; set; } = TrainingJobState.Running;
        public DateTime StartedUtc { get; } = DateTime.UtcNow;
        public DateTime? EndedUtc { get; set; }
        public TrainingProgress? Latest { get; set; }
        public List<EpochMetrics> Epochs { get; } = [];
        public List<string> Log { get; } = [];
        public int? ModelId { get; set; }
        public string? Error { get; set; }
        public DateTime LastProgressUtc { get; set; }
        public Task Completion { get; set; } = Task.CompletedTask;
    }

    /// <summary>The running job, else the most recent one.</summary>
    public TrainingJobSnapshot? Current
    {
        get { lock (_lock) return (_running ?? _jobs.Values.MaxBy(j => j.StartedUtc)) is { } job ? Snapshot(job) : null; }
    }

    public bool IsRunning { get { lock (_lock) return _running is not null; } }

    public TrainingJobSnapshot? Get(string jobId)
    {
        lock (_lock) return _jobs.TryGetValue(jobId, out var job) ? Snapshot(job) : null;
    }

    public IReadOnlyList<TrainingJobSnapshot> Jobs
    {
        get { lock (_lock) return _jobs.Values.OrderByDescending(j => j.StartedUtc).Select(Snapshot).ToList(); }
    }

    public IDisposable Subscribe(Action<TrainingJobEvent> listener)
    {
        lock (_lock) _listeners.Add(listener);
        return new Subscription(() => { lock (_lock) _listeners.Remove(listener); });
    }

    /// <summary>Starts a job; throws <see cref="TrainingBusyException"/> while one runs and ArgumentException for bad options.</summary>
    public TrainingJobSnapshot Start(TrainingOptions options)
    {
        var problems = options.Validate().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join(" ", problems));
        Job job;
        lock (_lock)
        {
            if (_running is not null) throw new TrainingBusyException(_running.Id);
            job = new Job(Guid.NewGuid().ToString("N")[..12], options);
            _jobs[job.Id] = job;
            _running = job;
        }
        Publish(job, new TrainingJobEvent(job.Id, TrainingJobEventKind.Started, DateTime.UtcNow, Message:
            $"Started: {options.Epochs} epochs, lr {options.LearningRate}, batch {options.BatchSize}, {options.HeldOutLabelCount} held-out labels, seed {options.Seed}"));
        job.Completion = Task.Run(() => RunAsync(job));
        return Snapshot(job);
    }

    public bool Cancel(string jobId)
    {
        lock (_lock)
        {
            if (_running?.Id != jobId) return false;
            _running.Cancellation.Cancel();
            return true;
        }
    }

    /// <summary>Completes when the job ends, whatever its outcome.</summary>
    public Task WaitAsync(string jobId)
    {
        lock (_lock) return _jobs.TryGetValue(jobId, out var job) ? job.Completion : Task.CompletedTask;
    }

    private async Task RunAsync(Job job)
    {
        var progress = new SynchronousProgress<TrainingProgress>(p => OnProgress(job, p));
        TrainingJobEvent end;
        try
        {
            var model = await engine.TrainAsync(job.Options, progress, job.Cancellation.Token).ConfigureAwait(false);
            job.ModelId = model.Id;
            job.State = TrainingJobState.Finished;
            var e = model.Evaluation;
            end = new TrainingJobEvent(job.Id, TrainingJobEventKind.Finished, DateTime.UtcNow, Model: model, Message:
                $"Finished: model version {model.Id}, validation loss {e?.ValidationLoss:0.000}, zero-shot hit@5 {e?.ZeroShotHit5?.Value:P0}, precision@9 {e?.SeenPrecisionAt9?.Value:P0}");
        }
        catch (OperationCanceledException)
        {
            job.State = TrainingJobState.Cancelled;
            end = new TrainingJobEvent(job.Id, TrainingJobEventKind.Cancelled, DateTime.UtcNow, Message: "Cancelled; no model version was saved.");
        }
        catch (Exception ex)
        {
            job.State = TrainingJobState.Failed;
            job.Error = ex.Message;
            end = new TrainingJobEvent(job.Id, TrainingJobEventKind.Failed, DateTime.UtcNow, Message: "Failed: " + ex.Message);
        }
        job.EndedUtc = DateTime.UtcNow;
        lock (_lock) _running = null;
        Publish(job, end);
        job.Cancellation.Dispose();
    }

    private void OnProgress(Job job, TrainingProgress progress)
    {
        job.Latest = progress;
        if (progress.Phase == TrainingPhase.Epoch)
        {
            var metrics = new EpochMetrics(progress.Epoch, progress.TrainLoss, progress.ValidationLoss, progress.LearningRate, progress.Elapsed.TotalSeconds);
            lock (_lock) job.Epochs.Add(metrics);
            Publish(job, new TrainingJobEvent(job.Id, TrainingJobEventKind.Epoch, DateTime.UtcNow, progress, metrics,
                Message: $"Epoch {progress.Epoch}/{progress.Epochs}: train loss {progress.TrainLoss:0.0000}, validation loss {progress.ValidationLoss:0.0000}"));
            return;
        }
        var now = DateTime.UtcNow;
        if (now - job.LastProgressUtc < ProgressInterval && progress.Step != progress.StepsPerEpoch) return;
        job.LastProgressUtc = now;
        Publish(job, new TrainingJobEvent(job.Id, TrainingJobEventKind.Progress, now, progress));
    }

    private void Publish(Job job, TrainingJobEvent e)
    {
        Action<TrainingJobEvent>[] listeners;
        lock (_lock)
        {
            if (e.Message is not null)
            {
                job.Log.Add($"{e.TimeUtc:HH:mm:ss} {e.Message}");
                if (job.Log.Count > MaxLogLines) job.Log.RemoveAt(0);
            }
            listeners = [.. _listeners];
        }
        foreach (var listener in listeners)
        {
            try { listener(e); }
            catch { /* a failing listener must not stop training or other listeners */ }
        }
    }

    private TrainingJobSnapshot Snapshot(Job job)
    {
        lock (_lock)
            return new TrainingJobSnapshot(job.Id, job.Options, job.State, job.StartedUtc, job.EndedUtc, job.Latest,
                [.. job.Epochs], [.. job.Log], job.ModelId, job.Error);
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;
        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

/// <summary>IProgress that reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool and can reorder).</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

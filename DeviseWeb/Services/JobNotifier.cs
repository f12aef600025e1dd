using DeviseWeb.Engine.Jobs;

namespace DeviseWeb.Services;

/// <summary>
/// Relays the job queue's one event stream to Blazor components (eShop's order-status notifier). The queue calls
/// its listeners on the job's own thread, so each component's callback is started and not awaited: a slow or
/// closed circuit never holds up a job or another page. Components call InvokeAsync in the callback and dispose
/// the subscription with themselves.
/// </summary>
public sealed class JobNotifier : IDisposable
{
    private readonly object _lock = new();
    private readonly List<Func<JobEvent, Task>> _listeners = [];
    private readonly ILogger<JobNotifier> _logger;
    private readonly IDisposable _source;

    public JobNotifier(JobQueue queue, ILogger<JobNotifier> logger)
    {
        _logger = logger;
        _source = queue.Subscribe(Publish);
    }

    public IDisposable Subscribe(Func<JobEvent, Task> listener)
    {
        lock (_lock) _listeners.Add(listener);
        return new Subscription(() => { lock (_lock) _listeners.Remove(listener); });
    }

    /// <summary>Hands an event to every listener; the queue calls it, and component tests feed it events of their own.</summary>
    internal void Publish(JobEvent jobEvent)
    {
        Func<JobEvent, Task>[] listeners;
        lock (_lock) listeners = [.. _listeners];
        foreach (var listener in listeners)
        {
            // A circuit closing mid-event fails its own callback only; the others still hear about the job.
            try
            {
                _ = listener(jobEvent).ContinueWith(t => _logger.LogDebug(t.Exception, "A job event listener failed"),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
            catch (Exception e) { _logger.LogDebug(e, "A job event listener failed"); }
        }
    }

    public void Dispose() => _source.Dispose();

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;
        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

using System.Collections.Concurrent;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// The index's own background thread: seals and compactions run on it one at a time, in order, so that no two
/// of them change the segment list at once. Started on first use: a small index that never seals never has one.
/// </summary>
internal sealed class IndexWorker(string name, Action<Exception> onError) : IDisposable
{
    private readonly BlockingCollection<Action<CancellationToken>> _jobs = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startLock = new();
    private Thread? _thread;

    /// <summary>Queues background work; its failure goes to the error callback. Ignored once disposed.</summary>
    public void Post(Action<CancellationToken> job)
    {
        lock (_startLock)
        {
            if (_jobs.IsAddingCompleted) return;
            _jobs.Add(job);
            if (_thread is not null) return;
            _thread = new Thread(Run) { IsBackground = true, Name = name };
            _thread.Start();
        }
    }

    /// <summary>Queues work whose outcome the caller awaits.</summary>
    public Task RunAsync(Action<CancellationToken> job, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(stopping =>
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellationToken);
            try
            {
                linked.Token.ThrowIfCancellationRequested();
                job(linked.Token);
                done.TrySetResult();
            }
            catch (OperationCanceledException) when (linked.IsCancellationRequested)
            {
                done.TrySetCanceled(linked.Token);
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        if (_jobs.IsAddingCompleted && !done.Task.IsCompleted) done.TrySetException(new ObjectDisposedException(name));
        return done.Task;
    }

    private void Run()
    {
        foreach (var job in _jobs.GetConsumingEnumerable())
        {
            try
            {
                job(_stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                onError(e);
            }
        }
    }

    /// <summary>Stops taking work, cancels the running job and waits for the thread; queued jobs see a cancelled token.</summary>
    public void Dispose()
    {
        Thread? thread;
        lock (_startLock)
        {
            if (_jobs.IsAddingCompleted) return;
            _jobs.CompleteAdding();
            thread = _thread;
        }
        _stopping.Cancel();
        thread?.Join();
        // Jobs the thread never reached still settle their awaiters (as cancelled).
        while (_jobs.TryTake(out var job))
        {
            try
            {
                job(_stopping.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        _stopping.Dispose();
        _jobs.Dispose();
    }
}

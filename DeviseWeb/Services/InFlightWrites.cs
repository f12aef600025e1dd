namespace DeviseWeb.Services;

/// <summary>
/// Counts the requests and uploads that may write to the gallery, so shutdown can wait for them before the engine's
/// database is closed; once closed, no new one starts.
/// </summary>
public sealed class InFlightWrites
{
    private readonly Lock _gate = new();
    private int _count;
    private bool _closed;
    private TaskCompletionSource? _idle;

    public int Count
    {
        get { lock (_gate) return _count; }
    }

    /// <summary>Starts one write; false once shutdown has begun. Dispose the entry when the write is over.</summary>
    public bool TryEnter(out IDisposable entry)
    {
        lock (_gate)
        {
            entry = _closed ? Entry.None : new Entry(this);
            if (_closed) return false;
            _count++;
            return true;
        }
    }

    /// <summary>Refuses new writes from now on.</summary>
    public void Close()
    {
        lock (_gate) _closed = true;
    }

    /// <summary>Completes when no write is in flight.</summary>
    public Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_count == 0) return Task.CompletedTask;
            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _idle.Task.WaitAsync(cancellationToken);
        }
    }

    private void Leave()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_count == 0) (idle, _idle) = (_idle, null);
        }
        idle?.TrySetResult();
    }

    private sealed class Entry(InFlightWrites? owner) : IDisposable
    {
        public static readonly Entry None = new(null);
        private InFlightWrites? _owner = owner;

        public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Leave();
    }
}

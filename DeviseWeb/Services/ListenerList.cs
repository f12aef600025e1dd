namespace DeviseWeb.Services;

/// <summary>
/// The subscriber list behind the app's singleton notifiers: thread-safe, each subscription an
/// <see cref="IDisposable"/> a component disposes with itself. Listeners are not awaited, so a slow
/// circuit never holds up training or another listener; their failures are swallowed here.
/// </summary>
public sealed class ListenerList<T>
{
    private readonly object _lock = new();
    private readonly List<Func<T, Task>> _listeners = [];

    public int Count { get { lock (_lock) return _listeners.Count; } }

    public IDisposable Add(Func<T, Task> listener)
    {
        lock (_lock) _listeners.Add(listener);
        return new Subscription(() => { lock (_lock) _listeners.Remove(listener); });
    }

    public void Notify(T value)
    {
        Func<T, Task>[] listeners;
        lock (_lock) listeners = [.. _listeners];
        foreach (var listener in listeners)
        {
            try { _ = listener(value).ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted); }
            catch (Exception) { /* a disposed circuit's listener must not stop the others */ }
        }
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;
        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

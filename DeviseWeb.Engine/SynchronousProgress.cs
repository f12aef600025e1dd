namespace DeviseWeb.Engine;

/// <summary>IProgress that reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool and can reorder).</summary>
public sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

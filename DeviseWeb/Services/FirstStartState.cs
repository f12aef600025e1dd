namespace DeviseWeb.Services;

public enum FirstStartStage { Idle, Importing, Training, WarmingVocabulary, Done, Failed }

/// <summary>Where the first-start routine is; Done/Total count files while importing and words while warming the vocabulary.</summary>
public sealed record FirstStartStatus(FirstStartStage Stage, int Done = 0, int Total = 0, string? Message = null)
{
    public bool IsImporting => Stage == FirstStartStage.Importing;
    public bool IsWarmingVocabulary => Stage == FirstStartStage.WarmingVocabulary;
}

/// <summary>
/// The first-start routine's progress, observed by the pages (the gallery's "importing N/M" banner).
/// Step reports are thinned to a few a second; stage changes always go out.
/// </summary>
public sealed class FirstStartState
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(250);
    private readonly ListenerList<FirstStartStatus> _listeners = new();
    private readonly object _lock = new();
    private FirstStartStatus _current = new(FirstStartStage.Idle);
    private DateTime _lastNotifiedUtc;

    public FirstStartStatus Current { get { lock (_lock) return _current; } }

    public IDisposable Subscribe(Func<FirstStartStatus, Task> listener) => _listeners.Add(listener);

    public void Report(FirstStartStatus status)
    {
        bool notify;
        lock (_lock)
        {
            var now = DateTime.UtcNow;
            notify = status.Stage != _current.Stage || status.Done >= status.Total || now - _lastNotifiedUtc >= ReportInterval;
            _current = status;
            if (notify) _lastNotifiedUtc = now;
        }
        if (notify) _listeners.Notify(status);
    }
}

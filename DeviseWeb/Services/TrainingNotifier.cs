using DeviseWeb.Engine.Training;

namespace DeviseWeb.Services;

/// <summary>
/// Relays every <see cref="TrainingJobEvent"/> of the process-wide <see cref="TrainingJobRunner"/> to the
/// components that listen (eShop's order-status notifier). Components subscribe in OnInitialized, call
/// InvokeAsync in the callback, and dispose the subscription with themselves.
/// </summary>
public sealed class TrainingNotifier : IDisposable
{
    private readonly ListenerList<TrainingJobEvent> _listeners = new();
    private readonly IDisposable? _source;

    /// <summary>A notifier fed only through <see cref="Publish"/> (tests).</summary>
    public TrainingNotifier() { }

    public TrainingNotifier(TrainingJobRunner runner) => _source = runner.Subscribe(Publish);

    public IDisposable Subscribe(Func<TrainingJobEvent, Task> listener) => _listeners.Add(listener);

    public void Publish(TrainingJobEvent trainingEvent) => _listeners.Notify(trainingEvent);

    public void Dispose() => _source?.Dispose();
}

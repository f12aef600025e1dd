using DeviseWeb.Engine;

namespace DeviseWeb.Services;

public enum ActivationState { Started, Completed, Failed }

public sealed record ActivationEvent(int ModelId, ActivationState State, string? Error = null);

/// <summary>
/// Activates model versions in the background, one at a time: the engine re-embeds the gallery and swaps
/// the index atomically, so searches keep working on the old version meanwhile. Outlives circuits.
/// </summary>
public sealed class ModelActivationService(DeviseEngine engine, ILogger<ModelActivationService> logger)
{
    private readonly ListenerList<ActivationEvent> _listeners = new();
    private readonly object _lock = new();
    private int? _activatingId;
    private Task _completion = Task.CompletedTask;

    /// <summary>The version being activated now, or null.</summary>
    public int? ActivatingId { get { lock (_lock) return _activatingId; } }

    public IDisposable Subscribe(Func<ActivationEvent, Task> listener) => _listeners.Add(listener);

    /// <summary>Starts activating; false while another activation runs. Throws <see cref="DeviseException"/> for an unknown version.</summary>
    public bool TryStart(int modelId)
    {
        if (engine.GetModel(modelId) is null) throw new DeviseException($"No model version {modelId}.");
        lock (_lock)
        {
            if (_activatingId is not null) return false;
            _activatingId = modelId;
            _completion = Task.Run(() => RunAsync(modelId));
        }
        return true;
    }

    /// <summary>Completes when the current activation (if any) ends.</summary>
    public Task WaitAsync() { lock (_lock) return _completion; }

    private async Task RunAsync(int modelId)
    {
        _listeners.Notify(new ActivationEvent(modelId, ActivationState.Started));
        ActivationEvent end;
        try
        {
            logger.LogInformation("Activating model version {ModelId}", modelId);
            await engine.ActivateModelAsync(modelId).ConfigureAwait(false);
            logger.LogInformation("Model version {ModelId} is active", modelId);
            end = new ActivationEvent(modelId, ActivationState.Completed);
        }
        catch (Exception e)
        {
            logger.LogError(e, "Activating model version {ModelId} failed", modelId);
            end = new ActivationEvent(modelId, ActivationState.Failed, e.Message);
        }
        lock (_lock) _activatingId = null;
        _listeners.Notify(end);
    }
}

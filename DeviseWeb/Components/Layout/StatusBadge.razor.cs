using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Layout;

/// <summary>The app bar's live status: the active model version, an activation in progress, a running job.</summary>
public sealed partial class StatusBadge : IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private int? _activeModel;
    private int? _activating;
    private bool _training;

    [Inject] private DeviseEngine Engine { get; set; } = default!;
    [Inject] private TrainingJobRunner Runner { get; set; } = default!;
    [Inject] private TrainingNotifier Notifier { get; set; } = default!;
    [Inject] private ModelActivationService Activation { get; set; } = default!;

    protected override void OnInitialized()
    {
        Refresh();
        _subscriptions.Add(Notifier.Subscribe(e => e.Kind is TrainingJobEventKind.Progress or TrainingJobEventKind.Epoch
            ? Task.CompletedTask
            : InvokeAsync(() => { Refresh(); StateHasChanged(); })));
        _subscriptions.Add(Activation.Subscribe(_ => InvokeAsync(() => { Refresh(); StateHasChanged(); })));
    }

    private void Refresh()
    {
        _activeModel = Engine.ActiveModel?.Record.Id;
        _activating = Activation.ActivatingId;
        _training = Runner.IsRunning;
    }

    public void Dispose() => _subscriptions.ForEach(s => s.Dispose());
}

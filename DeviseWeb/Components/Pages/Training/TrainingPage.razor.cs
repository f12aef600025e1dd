using DeviseWeb.Engine;
using DeviseWeb.Engine.Training;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Training;

// Contract for tests (keep these names):
//   route "/training"; a page opened or reloaded mid-run reattaches to TrainingJobRunner.Current
//   number fields "Epochs", "Learning rate", "Batch size", "Held-out labels", "Seed"
//   buttons "Start training" (always enabled; while a job runs it shows the busy message in data-testid="training-error")
//   and "Cancel training" (enabled while a job runs)
//   progress bar data-testid="training-progress" (role progressbar, aria-valuenow 0–100, live); status text data-testid="training-status";
//   state chip data-testid="training-state" (Running/Finished/Failed/Cancelled); dashboard data-testid="training-dashboard" data-state=…
//   loss chart container data-testid="loss-chart" with data-points = epoch points drawn
//   log list data-testid="training-log" (newest first)
//   run history table data-testid="run-history", rows data-testid="run-row" data-model-id; per row an "Activate" button
//   (or an "Active" chip); chart across runs data-testid="runs-chart"; dataset summary data-testid="dataset-summary"

/// <summary>Start and watch training runs, compare model versions, activate one.</summary>
public sealed partial class TrainingPage : IDisposable
{
    private TrainingJobSnapshot? _job;
    private DatasetSummary _summary = new(0, [], []);
    private ModelVersionInfo? _activeModel;
    private readonly List<IDisposable> _subscriptions = [];

    [Inject] private DeviseEngine Engine { get; set; } = default!;
    [Inject] private TrainingJobRunner Runner { get; set; } = default!;
    [Inject] private TrainingNotifier Notifier { get; set; } = default!;
    [Inject] private ModelActivationService Activation { get; set; } = default!;

    protected override void OnInitialized()
    {
        _job = Runner.Current;
        LoadEngineState();
        _subscriptions.Add(Notifier.Subscribe(e => e.Kind is TrainingJobEventKind.Progress or TrainingJobEventKind.Epoch
            ? Task.CompletedTask
            : InvokeAsync(() => { Refresh(e.JobId); StateHasChanged(); })));
        _subscriptions.Add(Activation.Subscribe(e => e.State == ActivationState.Completed
            ? InvokeAsync(() => { LoadEngineState(); StateHasChanged(); })
            : Task.CompletedTask));
    }

    private void Refresh(string jobId)
    {
        _job = Runner.Get(jobId) ?? Runner.Current;
        LoadEngineState();
    }

    private void LoadEngineState()
    {
        _summary = Engine.GetDatasetSummary();
        _activeModel = Engine.ListModels().FirstOrDefault(m => m.IsActive);
    }

    private void OnStarted(TrainingJobSnapshot job) => _job = Runner.Get(job.Id) ?? job;

    public void Dispose() => _subscriptions.ForEach(s => s.Dispose());
}

using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Training;

// Contract for tests (keep these names):
//   route "/training"; a page opened or reloaded mid-run reattaches to JobQueue.Latest(Training) (its epochs, progress and log)
//   number fields "Epochs", "Learning rate", "Batch size", "Held-out labels", "Seed"
//   buttons "Start training" (queues a job; behind a running job it says so in data-testid="training-queued";
//   options the engine refuses show in data-testid="training-error") and "Cancel training" (enabled while the job is queued or running)
//   progress bar data-testid="training-progress" (role progressbar, aria-valuenow 0–100, live); status text data-testid="training-status";
//   state chip data-testid="training-state" (Queued/Running/Finished/Failed/Cancelled/Interrupted); dashboard data-testid="training-dashboard" data-state=…
//   loss chart container data-testid="loss-chart" with data-points = epoch points drawn
//   log list data-testid="training-log" (newest first)
//   run history table data-testid="run-history", rows data-testid="run-row" data-model-id; per row an "Activate" button
//   (or an "Active" chip); an activation job's progress data-testid="activating"; chart across runs data-testid="runs-chart";
//   dataset summary data-testid="dataset-summary"

/// <summary>Start and watch training runs, compare model versions, activate one.</summary>
public sealed partial class TrainingPage : IDisposable
{
    private JobInfo? _job;
    private DatasetSummary _summary = new(0, [], []);
    private ModelVersionInfo? _activeModel;
    private IDisposable? _subscription;

    [Inject] private GalleryService Gallery { get; set; } = default!;
    [Inject] private ModelService Models { get; set; } = default!;
    [Inject] private JobQueue Jobs { get; set; } = default!;
    [Inject] private JobNotifier Notifier { get; set; } = default!;

    protected override void OnInitialized()
    {
        _job = Jobs.Latest(JobKind.Training);
        LoadEngineState();
        // State changes only: the dashboard follows steps and epochs itself.
        _subscription = Notifier.Subscribe(e => e.Job is null ? Task.CompletedTask : InvokeAsync(() => { OnJobChanged(e.Job); StateHasChanged(); }));
    }

    private void OnJobChanged(JobInfo job)
    {
        if (job.Kind == JobKind.Training) _job = Jobs.Latest(JobKind.Training);
        if (!job.IsActive) LoadEngineState();
    }

    private void LoadEngineState()
    {
        _summary = Gallery.Summary();
        _activeModel = Models.ActiveModelId is int id ? Models.Get(id) : null;
    }

    private void OnStarted(JobInfo job) => _job = Jobs.Latest(JobKind.Training) ?? job;

    public void Dispose() => _subscription?.Dispose();
}

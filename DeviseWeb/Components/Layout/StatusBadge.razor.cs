using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace DeviseWeb.Components.Layout;

// Contract for tests: the running (else queued) job as a chip data-testid="running-job", e.g. "Training 34%", "Activating v3 50%".

/// <summary>The app bar's live status: the active model version and the job running now, with its progress.</summary>
public sealed partial class StatusBadge : IDisposable
{
    private IDisposable? _subscription;
    private int? _activeModel;
    private JobInfo? _job;
    private JobProgress? _progress;

    [Inject] private ModelService Models { get; set; } = default!;
    [Inject] private JobQueue Jobs { get; set; } = default!;
    [Inject] private JobNotifier Notifier { get; set; } = default!;

    private int? Percent => _progress is { } p ? (int)Math.Round(p.Fraction * 100) : null;

    private string JobText
    {
        get
        {
            var job = _job!;
            string what = job.Kind switch
            {
                JobKind.Training => "Training",
                JobKind.Activation => $"Activating v{job.Request.ModelId}",
                JobKind.Import => "Importing",
                JobKind.Vocabulary => "Preparing keywords",
                JobKind.Evaluation => job.Request.ModelId is int id ? $"Evaluating v{id}" : "Evaluating",
                JobKind.Compaction => "Compacting",
                _ => "Working",
            };
            if (job.State == JobState.Queued) return what + " (queued)";
            return Percent is int percent ? $"{what} {percent}%" : what + "…";
        }
    }

    private string JobIcon => _job?.Kind switch
    {
        JobKind.Training => Icons.Material.Filled.ModelTraining,
        JobKind.Import => Icons.Material.Filled.CloudUpload,
        _ => Icons.Material.Filled.Sync,
    };

    protected override void OnInitialized()
    {
        Refresh();
        _subscription = Notifier.Subscribe(e => InvokeAsync(() => OnJobEvent(e)));
    }

    private void OnJobEvent(JobEvent e)
    {
        int? before = Percent;
        if (e.Job is not null) Refresh();
        else if (e.JobId == _job?.Id && e.Progress is { } progress) _progress = progress;
        else return;
        // Progress arrives several times a second; the chip shows whole percents, so most events change nothing.
        if (e.Job is not null || Percent != before) StateHasChanged();
    }

    private void Refresh()
    {
        _activeModel = Models.ActiveModelId;
        _job = Jobs.Active;
        _progress = _job?.Progress;
    }

    public void Dispose() => _subscription?.Dispose();
}

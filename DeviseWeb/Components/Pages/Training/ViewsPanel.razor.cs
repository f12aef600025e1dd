using DeviseWeb.Engine;
using DeviseWeb.Engine.Features;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Services;
using Microsoft.AspNetCore.Components;

namespace DeviseWeb.Components.Pages.Training;

/// <summary>How many images have their augmented views, and a button that queues the job computing the missing ones.</summary>
public sealed partial class ViewsPanel : IDisposable
{
    private FeatureViewCoverage _coverage = new(FeatureViewsJobOptions.DefaultCount, ViewBackground.White, 0, 0);
    private JobInfo? _job;
    private string? _problem;
    private IDisposable? _subscription;

    [Inject] private FeatureViewService Views { get; set; } = default!;
    [Inject] private JobQueue Jobs { get; set; } = default!;
    [Inject] private JobNotifier Notifier { get; set; } = default!;

    protected override void OnInitialized()
    {
        _job = Jobs.Latest(JobKind.FeatureViews);
        _coverage = Views.Coverage(FeatureViewsJobOptions.DefaultCount, ViewBackground.White);
        _subscription = Notifier.Subscribe(e => e.Kind == JobKind.FeatureViews ? InvokeAsync(() => { Apply(e); StateHasChanged(); }) : Task.CompletedTask);
    }

    private void Apply(JobEvent e)
    {
        _job = e.Job ?? (_job is { } job && job.Id == e.JobId ? job with { Progress = e.Progress ?? job.Progress } : Jobs.Latest(JobKind.FeatureViews));
        if (_job is { IsActive: false }) _coverage = Views.Coverage(FeatureViewsJobOptions.DefaultCount, ViewBackground.White);
    }

    private void Start()
    {
        _problem = null;
        try { _job = Jobs.Enqueue(FeatureViewService.Request()); }
        catch (DeviseException e) { _problem = e.Message; }
    }

    public void Dispose() => _subscription?.Dispose();
}

using DeviseWeb.Engine.Features;

namespace DeviseWeb.Engine.Jobs.Handlers;

/// <summary>Computes the augmented views every image lacks; images that have them are skipped, so a rerun resumes.</summary>
public sealed class FeatureViewsJobHandler(FeatureViewService service) : IJobHandler
{
    public JobKind Kind => JobKind.FeatureViews;

    public string Describe(JobRequest request)
    {
        var o = request.Views ?? new FeatureViewsJobOptions();
        return $"Compute {o.Count} augmented views per image on {FeatureViewStore.BackgroundName(o.Background)}";
    }

    public void Validate(JobRequest request) => service.Validate(request.Views ?? throw new InvalidInputException("Which views to compute?"));

    public async Task<JobResult> RunAsync(JobRequest request, JobContext context, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var progress = new SynchronousProgress<FeatureViewsProgress>(p =>
        {
            double seconds = clock.Elapsed.TotalSeconds, rate = seconds > 0 ? p.Done / seconds : 0;
            context.Progress.Report(new JobProgress(p.Total == 0 ? 1 : p.Done / (double)p.Total, p.Done, p.Total,
                $"{p.ViewsComputed:N0} views · {rate:0.0} images/s · {p.CurrentFile}", clock.Elapsed,
                p.Done == 0 ? null : TimeSpan.FromSeconds(seconds * (p.Total - p.Done) / p.Done)));
        });
        var summary = await service.ComputeMissingAsync(request.Views!, progress, cancellationToken).ConfigureAwait(false);
        if (summary.Failed > 0) context.Log($"{summary.Failed} images could not be read; they have no views (see the log)");
        return new JobResult { Views = summary };
    }
}

using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Engine.Jobs.Handlers;

/// <summary>Rewrites every vector column without the rows of deleted images, then forgets those ids.</summary>
public sealed class CompactionJobHandler(VectorMaintenance maintenance) : IJobHandler
{
    public JobKind Kind => JobKind.Compaction;

    public string Describe(JobRequest request) => "Compact the vector columns";

    public void Validate(JobRequest request) { }

    public async Task<JobResult> RunAsync(JobRequest request, JobContext context, CancellationToken cancellationToken) =>
        new() { RowsCompacted = await maintenance.CompactAllAsync(context.Progress, cancellationToken).ConfigureAwait(false) };
}

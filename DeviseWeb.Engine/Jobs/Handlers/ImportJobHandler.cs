using DeviseWeb.Engine.Gallery;

namespace DeviseWeb.Engine.Jobs.Handlers;

/// <summary>Imports a folder-per-label dataset, or one file under a label.</summary>
public sealed class ImportJobHandler(ImportService import) : IJobHandler
{
    public JobKind Kind => JobKind.Import;

    public string Describe(JobRequest request) => $"Import {request.Import?.Path}{(request.Import?.Evaluation == true ? " as evaluation-only images" : "")}";

    public void Validate(JobRequest request)
    {
        var path = request.Import?.Path;
        if (string.IsNullOrWhiteSpace(path)) throw new InvalidInputException("An import needs a folder or a file.");
        if (!Directory.Exists(path) && !File.Exists(path)) throw new NotFoundException($"No such folder or file: {path}");
    }

    public async Task<JobResult> RunAsync(JobRequest request, JobContext context, CancellationToken cancellationToken)
    {
        var options = request.Import!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        if (File.Exists(options.Path))
        {
            var one = await import.ImportFileAsync(options.Path, options.Label, options.Evaluation, cancellationToken).ConfigureAwait(false);
            return new JobResult { Import = new ImportSummary(
                one.Outcome == ImportOutcome.Added ? 1 : 0, one.Outcome == ImportOutcome.Duplicate ? 1 : 0,
                one.Outcome == ImportOutcome.Rejected ? 1 : 0, one.Outcome == ImportOutcome.Rejected ? [one] : [], clock.Elapsed) };
        }
        var progress = new SynchronousProgress<ImportProgress>(p => context.Progress.Report(new JobProgress(
            p.Total == 0 ? 1 : p.Done / (double)p.Total, p.Done, p.Total,
            $"{p.Added:N0} added, {p.Duplicates:N0} duplicates, {p.Rejected:N0} rejected · {p.CurrentFile}", clock.Elapsed,
            p.Done == 0 ? null : TimeSpan.FromSeconds(clock.Elapsed.TotalSeconds * (p.Total - p.Done) / p.Done))));
        var summary = await import.ImportFolderAsync(options.Path, progress, options.Evaluation, cancellationToken).ConfigureAwait(false);
        foreach (var rejected in summary.Rejections.Take(50)) context.Log($"Rejected {rejected.FileName}: {rejected.Reason}");
        return new JobResult { Import = summary };
    }
}

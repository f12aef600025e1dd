using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Jobs.Handlers;

/// <summary>Embeds the keyword vocabulary (WordNet nouns and the gallery's labels), or loads it from its cache file.</summary>
public sealed class VocabularyJobHandler(KeywordService keywords) : IJobHandler
{
    public JobKind Kind => JobKind.Vocabulary;

    public string Describe(JobRequest request) => "Prepare the keyword vocabulary";

    public void Validate(JobRequest request) { }

    public async Task<JobResult> RunAsync(JobRequest request, JobContext context, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var progress = new SynchronousProgress<(int Done, int Total)>(p => context.Progress.Report(new JobProgress(
            p.Total == 0 ? 1 : p.Done / (double)p.Total, p.Done, p.Total, $"Embedding words: {p.Done:N0} / {p.Total:N0}", clock.Elapsed)));
        return new JobResult { VocabularySize = await keywords.BuildAsync(progress, cancellationToken).ConfigureAwait(false) };
    }
}

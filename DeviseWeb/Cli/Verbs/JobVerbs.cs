using DeviseWeb.Engine;
using DeviseWeb.Engine.Jobs;

namespace DeviseWeb.Cli.Verbs;

/// <summary>jobs, compact.</summary>
public static class JobVerbs
{
    public static int Jobs(CommandContext c)
    {
        int take = c.Cli.GetInt("--take", 20);
        if (take < 1) throw new CliUsageException("--take expects a positive number.");
        var jobs = c.Get<JobQueue>().Recent(take);
        if (c.Json) { c.WriteJson(jobs); return 0; }
        if (jobs.Count == 0) { c.Output.WriteLine("No jobs yet."); return 0; }
        c.Output.WriteLine($"{"id",-12}  {"kind",-10}  {"state",-11}  {"created (UTC)",-16}  {"duration",9}  description");
        foreach (var job in jobs)
        {
            c.Output.WriteLine($"{job.Id,-12}  {job.Kind,-10}  {job.State,-11}  {job.CreatedUtc,-16:yyyy-MM-dd HH:mm}  {Duration(job),9}  {job.Description}");
            if (job.Error is { } error) c.Output.WriteLine($"{"",12}  {error}");
        }
        return 0;
    }

    public static async Task<int> CompactAsync(CommandContext c)
    {
        var job = await CliJobs.RunAsync(c, new JobRequest { Kind = JobKind.Compaction }, "compact");
        int rows = job.Result?.RowsCompacted ?? 0;
        if (c.Json) { c.WriteJson(new { rowsCompacted = rows }); return 0; }
        c.Output.WriteLine(rows == 0 ? "Nothing to compact: no deleted images left rows behind." : $"Dropped the rows of {(rows == 1 ? "1 deleted image" : $"{rows:N0} deleted images")} from the vector files.");
        return 0;
    }

    /// <summary>How long a job ran (or has run so far); blank for one that never started.</summary>
    private static string Duration(JobInfo job)
    {
        if (job.StartedUtc is not { } started) return "";
        var seconds = ((job.EndedUtc ?? DateTime.UtcNow) - started).TotalSeconds;
        return seconds < 60 ? $"{seconds:0.0} s" : seconds < 3600 ? $"{seconds / 60:0.0} min" : $"{seconds / 3600:0.0} h";
    }
}

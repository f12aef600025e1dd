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
        CliOutput.Jobs(c, c.Get<JobQueue>().Recent(take));
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
}

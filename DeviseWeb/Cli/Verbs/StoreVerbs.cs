using DeviseWeb.Engine.Storage;

namespace DeviseWeb.Cli.Verbs;

/// <summary>verify, backup.</summary>
public static class StoreVerbs
{
    /// <summary>Exit 0 when the store is clean (or every problem was repaired), 1 while a problem remains.</summary>
    public static int Verify(CommandContext c)
    {
        bool repair = c.Cli.Has("--repair");
        var report = c.Get<StoreVerifier>().Verify(repair, c.CancellationToken);
        int exit = report.Unrepaired == 0 ? CliCommands.Done : CliCommands.Failed;
        if (c.Json) { c.WriteJson(report); return exit; }

        var opened = report.CleanedAtOpen;
        if (opened.TemporaryFiles.Count + opened.OrphanOriginals.Count > 0)
            c.Output.WriteLine($"On opening the store: deleted {Count(opened.TemporaryFiles.Count, "temporary file")} and {Count(opened.OrphanOriginals.Count, "orphan original")} left by a crash.");
        foreach (var problem in report.Problems)
            c.Output.WriteLine($"  {Describe(problem.Kind),-18} {problem.Subject}: {problem.Detail}{(problem.Repair is { } done ? $" — repaired: {done}" : "")}");

        string model = report.ActiveModelId is { } id ? $"model version {id} active" : "no active model";
        c.Output.WriteLine(report.Clean
            ? $"The store is clean: {Count(report.ImagesChecked, "image")} checked ({model}) in {report.Elapsed.TotalSeconds:0.0} s."
            : report.Unrepaired == 0
                ? $"Repaired {Count(report.Problems.Count, "problem")} in {Count(report.ImagesChecked, "image")} ({model})."
                : $"Found {Count(report.Problems.Count, "problem")} in {Count(report.ImagesChecked, "image")} ({model}); {report.Unrepaired} not repaired{(repair ? "" : ": run 'verify --repair' to fix what can be fixed")}.");
        return exit;
    }

    /// <summary>backup DIR: a consistent snapshot of the store and its accounts into a new folder.</summary>
    public static int Backup(CommandContext c)
    {
        string target = c.Cli.RequirePositional(0, "a new folder for the backup");
        string data = Path.GetFullPath(c.Get<Engine.EngineOptions>().DataDirectory);
        bool accounts = File.Exists(Path.Combine(data, Accounts.AccountsDatabase.FileName));
        var summary = c.Get<StoreBackup>().Create(target, folder =>
        {
            if (!accounts) return;
            using var database = new Accounts.AccountsDatabase(data);
            database.CopyTo(folder);
        }, c.CancellationToken);
        WriteBackup(c, summary, accounts);
        return CliCommands.Done;
    }

    public static void WriteBackup(CommandContext c, BackupSummary summary, bool accounts)
    {
        if (c.Json) { c.WriteJson(summary); return; }
        c.Output.WriteLine($"Backed up {Count(summary.Images, "image")} and {Count(summary.SegmentFiles, "vector file")}{(accounts ? " with the accounts" : "")} " +
            $"to {summary.Directory} in {summary.Seconds:0.0} s ({summary.Bytes / 1e6:N0} MB, {summary.LinkedFiles:N0} files hard-linked).");
        if (summary.MissingOriginalCount > 0)
            c.Output.WriteLine($"{Count(summary.MissingOriginalCount, "image")} had no original in the store already (first: {string.Join(", ", summary.MissingOriginals!.Take(3))}): run 'verify' on the store.");
        c.Output.WriteLine($"Restore: stop the app, put that folder where the data directory was, start it, run 'verify'.");
    }

    private static string Describe(StoreProblemKind kind) => kind switch
    {
        StoreProblemKind.MissingOriginal => "missing original",
        StoreProblemKind.CorruptOriginal => "corrupt original",
        StoreProblemKind.MissingThumbnail => "no thumbnail",
        StoreProblemKind.MissingFeatures => "no features",
        StoreProblemKind.MissingEmbedding => "no embedding",
        StoreProblemKind.OrphanOriginal => "orphan original",
        StoreProblemKind.TemporaryFile => "temporary file",
        _ => "label count",
    };

    private static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count:N0} {noun}s";
}

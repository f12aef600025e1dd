using DeviseWeb.Engine;
using DeviseWeb.Engine.Gallery;
using DeviseWeb.Engine.Imaging;
using DeviseWeb.Engine.Jobs;
using DeviseWeb.Engine.Models;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Cli.Verbs;

/// <summary>import, delete, relabel, rename-label, status.</summary>
public static class GalleryVerbs
{
    public static async Task<int> ImportAsync(CommandContext c)
    {
        string path = Path.GetFullPath(c.Cli.RequirePositional(0, "a folder (or an image file)"));
        string? label = c.Cli.Get("--label");
        bool evaluation = c.Cli.Has("--evaluation");
        bool isFile = File.Exists(path);
        if (!isFile && label is not null) throw new CliUsageException("--label applies to a single file; a folder's labels come from its subfolders.");
        if (isFile) label ??= LabelText.FolderText(Path.GetFileName(Path.GetDirectoryName(path)) ?? LabelText.Unlabelled);
        var job = await CliJobs.RunAsync(c, new JobRequest { Kind = JobKind.Import, Import = new ImportJobOptions(path, label, evaluation) }, "import");
        var summary = job.Result?.Import ?? throw new DeviseException("The import finished without a summary.");
        var gallery = c.Get<GalleryService>();
        if (isFile) return ReportFile(c, gallery, path, summary);

        if (c.Json) { c.WriteJson(summary); return 0; }
        c.Output.WriteLine($"Imported {summary.Added} images ({summary.Duplicates} duplicates skipped, {summary.Rejected} rejected) in {summary.Elapsed.TotalSeconds:0.0} s.");
        foreach (var r in summary.Rejections) c.Output.WriteLine($"  rejected {r.FileName}: {r.Reason}");
        bool searchable = c.Get<ModelService>().ActiveModelId is not null;
        c.Output.WriteLine($"The gallery now holds {gallery.Count} images; new ones are searchable {(searchable ? "now" : "after training")}.");
        return 0;
    }

    /// <summary>One file's outcome; a rejected file is an error (exit 1) naming the reason.</summary>
    private static int ReportFile(CommandContext c, GalleryService gallery, string path, ImportSummary summary)
    {
        string name = Path.GetFileName(path);
        if (summary.Rejected > 0) throw new ImageRejectedException(name, summary.Rejections.FirstOrDefault()?.Reason ?? "rejected");
        // The job reports counts; the image is found by its content, the same hash the gallery keys it by.
        var image = gallery.FindByHash(SafeImageLoader.HashOf(File.ReadAllBytes(path)));
        var outcome = summary.Added > 0 ? ImportOutcome.Added : ImportOutcome.Duplicate;
        if (c.Json) { c.WriteJson(new ImportFileResult(name, outcome, image, outcome == ImportOutcome.Duplicate ? "already in the gallery" : null)); return 0; }
        c.Output.WriteLine(outcome == ImportOutcome.Added
            ? $"added #{image?.Id} {name} as '{image?.Label}'"
            : $"skipped {name}: already in the gallery as #{image?.Id}");
        return 0;
    }

    public static int Delete(CommandContext c)
    {
        var ids = c.Cli.PositionalInts("image ids");
        var gallery = c.Get<GalleryService>();
        RequireAll(gallery, ids);
        var deleted = gallery.Delete(ids);
        if (c.Json) { c.WriteJson(new { deleted }); return 0; }
        c.Output.WriteLine($"Deleted {Images(deleted.Count)}: {string.Join(", ", deleted.Select(id => $"#{id}"))}. The gallery now holds {gallery.Count} images.");
        return 0;
    }

    public static int Relabel(CommandContext c)
    {
        var ids = c.Cli.PositionalInts("image ids");
        string label = c.Cli.Get("--label") ?? throw new CliUsageException("'relabel' needs --label TEXT.");
        var gallery = c.Get<GalleryService>();
        RequireAll(gallery, ids);
        var changed = gallery.Relabel(ids, label);
        if (c.Json) { c.WriteJson(changed); return 0; }
        c.Output.WriteLine($"Relabelled {Images(changed.Count)} as '{changed.FirstOrDefault()?.Label ?? label}': {string.Join(", ", changed.Select(i => $"#{i.Id}"))}.");
        return 0;
    }

    public static int RenameLabel(CommandContext c)
    {
        if (c.Cli.Positional.Count != 2) throw new CliUsageException("'rename-label' takes two labels, OLD and NEW (quote labels with spaces).");
        string from = c.Cli.Positional[0], to = c.Cli.Positional[1];
        int moved = c.Get<GalleryService>().RenameLabel(from, to);
        string target = LabelText.Normalize(to);
        if (c.Json) { c.WriteJson(new { from = LabelText.Normalize(from), to = target, moved }); return 0; }
        c.Output.WriteLine($"Moved {Images(moved)} from '{LabelText.Normalize(from)}' to '{target}'.");
        return 0;
    }

    public static int Status(CommandContext c)
    {
        var s = c.Get<StatusService>().Get();
        if (c.Json) { c.WriteJson(s); return 0; }
        c.Output.WriteLine($"data directory  {s.DataDirectory}");
        c.Output.WriteLine($"images          {s.ImageCount} in {s.LabelCount} labels");
        c.Output.WriteLine($"model versions  {s.ModelCount}, active: {(s.ActiveModelId is { } id ? id.ToString() : "none (train one)")}");
        c.Output.WriteLine($"search index    {s.IndexedCount} vectors on {s.Device}");
        c.Output.WriteLine($"backbone        {s.Backbone}; text vectors {s.TextEncoder}");
        return 0;
    }

    /// <summary>
    /// The engine skips ids it does not know in a bulk change; the CLI refuses the whole command instead, so a mistyped
    /// id does not leave a list half done. Nothing else writes meanwhile: this process holds the data directory.
    /// </summary>
    private static void RequireAll(GalleryService gallery, IReadOnlyList<int> ids)
    {
        var missing = ids.Distinct().Where(id => gallery.Find(id) is null).ToList();
        if (missing.Count == 1) throw new NotFoundException($"No image with id {missing[0]}.");
        if (missing.Count > 1) throw new NotFoundException($"No images with ids {string.Join(", ", missing)}.");
    }

    private static string Images(int count) => count == 1 ? "1 image" : $"{count} images";
}

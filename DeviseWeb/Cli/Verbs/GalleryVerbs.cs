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

        CliOutput.ImportSummary(c, summary, gallery.Count, searchable: c.Get<ModelService>().ActiveModelId is not null);
        return 0;
    }

    private static int ReportFile(CommandContext c, GalleryService gallery, string path, ImportSummary summary)
    {
        // The job reports counts; the image is found by its content, the same hash the gallery keys it by.
        var image = summary.Rejected > 0 ? null : gallery.FindByHash(SafeImageLoader.HashOf(File.ReadAllBytes(path)));
        CliOutput.ImportedFile(c, Path.GetFileName(path), summary, image);
        return 0;
    }

    public static int Delete(CommandContext c)
    {
        var ids = c.Cli.PositionalInts("image ids");
        var gallery = c.Get<GalleryService>();
        RequireAll(gallery, ids);
        CliOutput.Deleted(c, gallery.Delete(ids), gallery.Count);
        return 0;
    }

    public static int Relabel(CommandContext c)
    {
        var ids = c.Cli.PositionalInts("image ids");
        string label = c.Cli.Get("--label") ?? throw new CliUsageException("'relabel' needs --label TEXT.");
        var gallery = c.Get<GalleryService>();
        RequireAll(gallery, ids);
        CliOutput.Relabelled(c, gallery.Relabel(ids, label), label);
        return 0;
    }

    public static int RenameLabel(CommandContext c)
    {
        if (c.Cli.Positional.Count != 2) throw new CliUsageException("'rename-label' takes two labels, OLD and NEW (quote labels with spaces).");
        string from = c.Cli.Positional[0], to = c.Cli.Positional[1];
        CliOutput.Renamed(c, from, to, c.Get<GalleryService>().RenameLabel(from, to));
        return 0;
    }

    public static int Status(CommandContext c)
    {
        CliOutput.Status(c, c.Get<StatusService>().Get());
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
}

using DeviseWeb.Engine.Storage;
using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Gallery;

/// <summary>
/// One entry of a folder-per-label dataset, with the label its folder gives it; <paramref name="Problem"/> says why it
/// is not imported (its label is refused, or it is not a file the import reads), and it is then reported as rejected.
/// <paramref name="Evaluation"/> marks an evaluation-only image (<see cref="DatasetFolder.EvaluationFileName"/>).
/// </summary>
public sealed record ImportFile(string Path, string Label, string? Problem = null, bool Evaluation = false);

/// <summary>
/// Lists a folder-per-label dataset (DIR/&lt;label&gt;/**): every regular file under each label folder, top-level files
/// ignored. Whatever else it meets is listed with the reason it is skipped, never read: links to folders (a link loop
/// would never end), links that lead out of the dataset (their files would be served over HTTP), broken links, and
/// named pipes, sockets and devices (reading a pipe waits forever). A link to a file inside the dataset is read.
/// An optional <see cref="EvaluationFileName"/> in the dataset's root marks the evaluation-only images.
/// </summary>
public static class DatasetFolder
{
    public const string RenamesFileName = "labels.tsv";

    /// <summary>
    /// The evaluation-only images of a dataset: one "&lt;label folder&gt;/&lt;file&gt;" a line (a path under the label
    /// folder, as listed), '#' comments and blank lines skipped. A line naming no file of the dataset fails the listing.
    /// </summary>
    public const string EvaluationFileName = "evaluation.txt";

    /// <summary>Folders nested deeper than this under a label folder are skipped: only a bind-mount loop goes that deep.</summary>
    public const int MaxDepth = 32;

    /// <param name="evaluation">Every image is evaluation-only (the CLI's import --evaluation), whatever the list says.</param>
    public static IReadOnlyList<ImportFile> List(string directory, bool evaluation = false)
    {
        string root = (Directory.Exists(directory) ? UnixFiles.RealPath(directory) : null)
            ?? throw new NotFoundException($"Folder not found: {directory}");
        var renames = ReadRenames(Path.Combine(root, RenamesFileName));
        var marks = EvaluationList.Read(root, EvaluationFileName);
        var files = new List<ImportFile>();
        foreach (var entry in Entries(root, files))
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith('.')) continue;
            var kind = UnixFiles.KindOf(entry);
            if (kind == EntryKind.SymbolicLink && Directory.Exists(entry))
                files.Add(new ImportFile(entry, "", "a symbolic link to a folder: not followed"));
            if (kind != EntryKind.Directory) continue;
            string label = "", problem = "";
            bool valid = renames.TryGetValue(name, out var renamed)
                ? LabelText.TryNormalize(renamed, out label, out problem!)
                : LabelText.TryNormalize(LabelText.FolderText(name), out label, out problem!);
            // In path order, as the listing always was, so ids do not depend on how folders nest.
            var labelFiles = new List<ImportFile>();
            Walk(root, entry, new ImportFile("", label, valid ? null : problem), depth: 0, labelFiles, marks);
            files.AddRange(labelFiles.OrderBy(f => f.Path, StringComparer.Ordinal));
        }
        marks.ThrowIfUnmatched();
        return evaluation ? files.Select(f => f with { Evaluation = true }).ToList() : files;
    }

    private static void Walk(string root, string folder, ImportFile template, int depth, List<ImportFile> files, EvaluationList marks)
    {
        foreach (var entry in Entries(folder, files))
        {
            if (Path.GetFileName(entry).StartsWith('.')) continue;
            var kind = UnixFiles.KindOf(entry);
            if (kind == EntryKind.Directory)
            {
                if (depth >= MaxDepth) files.Add(template with { Path = entry, Problem = $"folders nested more than {MaxDepth} deep: not read" });
                else Walk(root, entry, template, depth + 1, files, marks);
                continue;
            }
            var file = template with { Path = entry, Evaluation = marks.Mark(entry) };
            switch (kind)
            {
                case EntryKind.RegularFile:
                    files.Add(file);
                    break;
                case EntryKind.SymbolicLink:
                    files.Add(FollowLink(root, entry, file));
                    break;
                case EntryKind.Missing:
                    break; // deleted while listing
                default:
                    files.Add(file with { Problem = $"not a regular file (a {UnixFiles.Describe(kind)}): not read" });
                    break;
            }
        }
    }

    /// <summary>A link to a regular file inside the dataset becomes that file; any other link is skipped with its reason.</summary>
    private static ImportFile FollowLink(string root, string link, ImportFile template)
    {
        var target = UnixFiles.RealPath(link);
        if (target is null) return template with { Path = link, Problem = "a broken symbolic link" };
        if (Directory.Exists(target)) return template with { Path = link, Problem = "a symbolic link to a folder: not followed" };
        if (!IsInside(target, root)) return template with { Path = link, Problem = "a symbolic link to outside the import folder: not followed" };
        var kind = UnixFiles.KindOf(target);
        return kind switch
        {
            EntryKind.RegularFile => template with { Path = target },
            _ => template with { Path = link, Problem = $"a symbolic link to a {UnixFiles.Describe(kind)}: not read" },
        };
    }

    private static bool IsInside(string path, string root) =>
        path.StartsWith(root.EndsWith('/') ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>A folder's entries in ordinal order; one that cannot be listed is reported and yields none.</summary>
    private static IReadOnlyList<string> Entries(string folder, List<ImportFile> files)
    {
        try { return Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            files.Add(new ImportFile(folder, "", "the folder cannot be listed: " + e.Message));
            return [];
        }
    }

    private static IReadOnlyDictionary<string, string> ReadRenames(string path)
    {
        var kind = UnixFiles.KindOf(path);
        if (kind == EntryKind.Missing) return new Dictionary<string, string>(StringComparer.Ordinal);
        if (kind != EntryKind.RegularFile)
            throw new InvalidInputException($"{RenamesFileName} is a {UnixFiles.Describe(kind)}, not a regular file: replace it with a file, or remove it.");
        return LabelText.ReadRenames(path);
    }
}

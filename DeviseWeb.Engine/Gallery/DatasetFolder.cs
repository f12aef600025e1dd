using DeviseWeb.Engine.Text;

namespace DeviseWeb.Engine.Gallery;

/// <summary>One file of a folder-per-label dataset, with the label its folder gives it, or why that label is refused.</summary>
public sealed record ImportFile(string Path, string Label, string? LabelProblem = null);

/// <summary>Lists a folder-per-label dataset (DIR/&lt;label&gt;/*): every file in each label folder, top-level files ignored.</summary>
public static class DatasetFolder
{
    public const string RenamesFileName = "labels.tsv";

    public static IReadOnlyList<ImportFile> List(string directory)
    {
        if (!Directory.Exists(directory)) throw new NotFoundException($"Folder not found: {directory}");
        string renamesPath = Path.Combine(directory, RenamesFileName);
        var renames = File.Exists(renamesPath) ? LabelText.ReadRenames(renamesPath) : new Dictionary<string, string>();
        var files = new List<ImportFile>();
        foreach (var folder in Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            if (name.StartsWith('.')) continue;
            string label = "", problem = "";
            bool valid = renames.TryGetValue(name, out var renamed)
                ? LabelText.TryNormalize(renamed, out label, out problem!)
                : LabelText.TryNormalize(LabelText.FolderText(name), out label, out problem!);
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (!Path.GetFileName(file).StartsWith('.')) files.Add(new ImportFile(file, label, valid ? null : problem));
        }
        return files;
    }
}

namespace DeviseWeb.Engine.Importing;

/// <summary>One file of a folder-per-label dataset, with the label its folder gives it.</summary>
public sealed record ImportFile(string Path, string Label);

/// <summary>Lists a folder-per-label dataset (DIR/&lt;label&gt;/*): every file in each label folder, top-level files ignored.</summary>
public static class DatasetFolder
{
    public const string RenamesFileName = "labels.tsv";

    public static IReadOnlyList<ImportFile> List(string directory)
    {
        if (!Directory.Exists(directory)) throw new DeviseException($"Folder not found: {directory}");
        string renamesPath = System.IO.Path.Combine(directory, RenamesFileName);
        var renames = File.Exists(renamesPath) ? Text.LabelText.ReadRenames(renamesPath) : new Dictionary<string, string>();
        var files = new List<ImportFile>();
        foreach (var folder in Directory.GetDirectories(directory).Order(StringComparer.Ordinal))
        {
            var name = System.IO.Path.GetFileName(folder);
            if (name.StartsWith('.')) continue;
            var label = Text.LabelText.FromFolderName(renames.TryGetValue(name, out var renamed) ? renamed : name);
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
                if (!System.IO.Path.GetFileName(file).StartsWith('.')) files.Add(new ImportFile(file, label));
        }
        return files;
    }
}

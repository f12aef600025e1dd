namespace DeviseWeb.Engine.Text;

/// <summary>Turns folder names into label text: underscores and hyphens become spaces, case is lowered.</summary>
public static class LabelText
{
    public static string FromFolderName(string folderName) =>
        string.Join(' ', folderName.Replace('_', ' ').Replace('-', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    /// <summary>Reads an optional rename file: "folder&lt;TAB&gt;label" per line, '#' comments; other columns are ignored.</summary>
    public static IReadOnlyDictionary<string, string> ReadRenames(string path)
    {
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split('\t');
            if (parts.Length >= 2 && parts[1].Trim().Length > 0) renames[parts[0].Trim()] = parts[1].Trim();
        }
        return renames;
    }
}

namespace DeviseWeb.Engine.Storage;

/// <summary>What opening a data directory cleaned up after a crash, and what it found that it cannot fix itself.</summary>
/// <param name="TemporaryFiles">Half-written files deleted (originals and reference photos, relative paths).</param>
/// <param name="OrphanOriginals">Originals no record uses, deleted: written just before a crash, the record never committed.</param>
/// <param name="MissingOriginals">Images whose original file is gone.</param>
/// <param name="DamagedOriginals">Images whose original's size is not the recorded one (its hash is checked by verify).</param>
public sealed record StoreSweepResult(
    IReadOnlyList<string> TemporaryFiles,
    IReadOnlyList<string> OrphanOriginals,
    IReadOnlyList<int> MissingOriginals,
    IReadOnlyList<int> DamagedOriginals)
{
    public static readonly StoreSweepResult Empty = new([], [], [], []);

    public bool FoundProblems => MissingOriginals.Count > 0 || DamagedOriginals.Count > 0;
}

/// <summary>
/// Runs when a data directory opens, before any service writes (the directory lock is held, so no other process
/// writes either): deletes temporary files and originals no record uses, left by a process killed between writing a
/// file and committing its record, and lists images whose original is missing or has the wrong size. Sizes, not
/// hashes: reading every original at each start would cost minutes on a large gallery; <c>verify</c> hashes them.
/// </summary>
internal static class StoreSweep
{
    public static StoreSweepResult Run(DeviseDatabase database, EngineOptions options)
    {
        string root = Path.GetFullPath(options.DataDirectory);
        var temporary = new List<string>();
        var orphans = new List<string>();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var file in FilesUnder(options.ImagesDirectory))
        {
            if (file.Name.EndsWith(OriginalFiles.TemporarySuffix, StringComparison.Ordinal)) Delete(file, root, temporary);
            else sizes[Path.GetRelativePath(root, file.FullName)] = file.Length;
        }
        foreach (var file in FilesUnder(options.ReferencesDirectory))
            if (file.Name.EndsWith(OriginalFiles.TemporarySuffix, StringComparison.Ordinal)) Delete(file, root, temporary);

        var missing = new List<int>();
        var damaged = new List<int>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var records = database.Collection<ImageRecord>("images").Query().Select(x => new { x.Id, x.StoredFile, x.ByteCount }).ToEnumerable();
        foreach (var record in records)
        {
            string relative = Path.GetRelativePath(root, Path.GetFullPath(Path.Combine(root, record.StoredFile)));
            used.Add(relative);
            if (!sizes.TryGetValue(relative, out long length)) missing.Add(record.Id);
            else if (length != record.ByteCount) damaged.Add(record.Id);
        }
        foreach (var relative in sizes.Keys.Where(f => !used.Contains(f)).Order(StringComparer.Ordinal))
        {
            File.Delete(Path.Combine(root, relative));
            orphans.Add(relative);
        }
        return new StoreSweepResult(temporary, orphans, missing, damaged);
    }

    private static IEnumerable<FileInfo> FilesUnder(string directory) =>
        Directory.Exists(directory)
            ? new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).ToList()
            : [];

    private static void Delete(FileInfo file, string root, List<string> deleted)
    {
        file.Delete();
        deleted.Add(Path.GetRelativePath(root, file.FullName));
    }
}

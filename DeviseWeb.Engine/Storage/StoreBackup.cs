using System.Diagnostics;
using DeviseWeb.Engine.Evaluation;

namespace DeviseWeb.Engine.Storage;

/// <summary>What a backup holds and what it took.</summary>
/// <param name="MissingOriginals">Records whose original was already missing in the store (verify reports them there too), at most 20 named.</param>
public sealed record BackupSummary(string Directory, int Images, int SegmentFiles, int LinkedFiles, long Bytes, double Seconds,
    int MissingOriginalCount = 0, IReadOnlyList<string>? MissingOriginals = null);

/// <summary>
/// Snapshots a running store into a new folder, consistently, while searches go on: holding the store's write lock
/// (no record, vector, seal or compaction commits meanwhile; writers wait), LiteDB's log is checkpointed into
/// devise.db and the file copied, the segment files its manifests list and the originals its records name are
/// hard-linked (copied across file systems; both are immutable, so a link is a copy that costs nothing), and the
/// files beside them are copied. The folder is written under a temporary name and renamed when whole, with a
/// <c>devise.closed</c> marker, so it opens like a store that was closed cleanly. Restore: stop the app, put the folder
/// where the data directory was, start it, and run <c>verify</c>.
/// </summary>
public sealed class StoreBackup(EngineOptions options, DeviseDatabase database, VectorColumnStore columns, ImageRepository images)
{
    /// <summary>Files beside the store that are copied when present: the judged everyday words, the vocabulary cache.</summary>
    private static readonly string[] Beside = [EverydayWords.FileName, "vocabulary-minilm.bin"];

    /// <param name="target">A folder that does not exist yet (or is empty), outside the data directory.</param>
    /// <param name="alsoQuiesced">Run while the store is still held (a host's own files to snapshot at the same moment: its accounts).</param>
    public BackupSummary Create(string target, Action<string>? alsoQuiesced = null, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        string destination = Path.GetFullPath(target), data = Path.GetFullPath(options.DataDirectory);
        if (IsInside(destination, data) || IsInside(data, destination))
            throw new InvalidInputException($"The backup folder {destination} must be outside the data directory {data}.");
        if (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any())
            throw new InvalidInputException($"The backup folder {destination} is not empty: give a new one.");
        if (File.Exists(destination)) throw new InvalidInputException($"{destination} is a file: give a folder for the backup.");
        string partial = destination.TrimEnd('/') + $".partial-{Guid.NewGuid():N}";
        Directory.CreateDirectory(partial);
        try
        {
            int imageCount = 0, segmentCount = 0, linked = 0, missingCount = 0;
            var missing = new List<string>();
            database.Quiesced(() =>
            {
                File.Copy(options.DatabasePath, Path.Combine(partial, Path.GetFileName(options.DatabasePath)));
                foreach (var segment in columns.ListedSegmentFiles())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (Place(segment)) linked++;
                    segmentCount++;
                }
                foreach (var record in images.All())
                {
                    if (imageCount % 1024 == 0) cancellationToken.ThrowIfCancellationRequested();
                    imageCount++;
                    // A store that lost an original keeps its record (verify --repair decides); the backup says so and goes on.
                    if (!File.Exists(Path.Combine(data, record.StoredFile)))
                    {
                        if (missingCount++ < 20) missing.Add($"#{record.Id} {record.StoredFile}");
                        continue;
                    }
                    if (Place(record.StoredFile)) linked++;
                }
                alsoQuiesced?.Invoke(partial);
            });
            foreach (var name in Beside.Where(n => File.Exists(Path.Combine(data, n)))) File.Copy(Path.Combine(data, name), Path.Combine(partial, name));
            File.WriteAllText(Path.Combine(partial, DataStore.ClosedMarkerName), "");
            long bytes = Directory.EnumerateFiles(partial, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
            foreach (var directory in Directory.EnumerateDirectories(partial, "*", SearchOption.AllDirectories).Append(partial)) UnixFiles.SyncDirectory(directory);
            if (Directory.Exists(destination)) Directory.Delete(destination);
            Directory.Move(partial, destination);
            UnixFiles.SyncDirectory(Path.GetDirectoryName(destination)!);
            return new BackupSummary(destination, imageCount, segmentCount, linked, bytes, clock.Elapsed.TotalSeconds, missingCount, missing);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Discard(partial);
            throw new DeviseException($"The backup to {destination} failed, and nothing of it was kept: {e.Message}", e);
        }
        catch
        {
            Discard(partial);
            throw;
        }

        bool Place(string relative)
        {
            string to = Path.Combine(partial, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            return UnixFiles.LinkOrCopy(Path.Combine(data, relative), to);
        }
    }

    /// <summary>A half backup never stays behind.</summary>
    private static void Discard(string partial)
    {
        try { Directory.Delete(partial, recursive: true); }
        catch (IOException) { }
    }

    private static bool IsInside(string path, string folder) =>
        path == folder || path.StartsWith(folder.TrimEnd('/') + "/", StringComparison.Ordinal);
}

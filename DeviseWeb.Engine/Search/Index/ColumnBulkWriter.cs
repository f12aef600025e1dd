namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Fills an empty column with many vectors at once (a new model version's gallery embeddings): segment files are
/// written straight from the rows, never through the tail, and committed by the caller in one go, so the column
/// appears whole or not at all.
/// </summary>
public static class ColumnBulkWriter
{
    /// <summary>
    /// Writes and flushes segment files of at most <paramref name="sealRows"/> rows each into <paramref name="directory"/>
    /// (where the column keeps its segments), ids ascending; returns their paths, oldest first. Files are written a few at
    /// a time on every core; after each few, <paramref name="rowsDone"/> hears the rows written so far (it may throw to
    /// stop) and a cancel is checked. On any failure or cancel the files written are deleted.
    /// </summary>
    public static IReadOnlyList<string> WriteSegmentFiles(string directory, int dimension, bool quantized, IReadOnlyList<int> ids,
        IReadOnlyList<float[]> vectors, int sealRows, Action<int>? rowsDone = null, CancellationToken cancellationToken = default)
    {
        if (ids.Count != vectors.Count) throw new ArgumentException("One vector per id.", nameof(vectors));
        int[] order = Enumerable.Range(0, ids.Count).ToArray();
        int[] sorted = [.. ids];
        Array.Sort(sorted, order);
        for (int i = 1; i < sorted.Length; i++)
            if (sorted[i] == sorted[i - 1]) throw new ArgumentException($"Id {sorted[i]} appears twice.", nameof(ids));
        sealRows = Math.Max(1, sealRows);
        var paths = new string?[(ids.Count + sealRows - 1) / sealRows];
        int batch = Environment.ProcessorCount;
        try
        {
            for (int first = 0; first < paths.Length; first += batch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Parallel.For(first, Math.Min(paths.Length, first + batch), s =>
                {
                    int start = s * sealRows, count = Math.Min(sealRows, ids.Count - start);
                    using var image = SegmentImage.Create(dimension, count, quantized);
                    for (int i = 0; i < count; i++) image.SetRow(i, sorted[start + i], VectorMath.Normalized(vectors[order[start + i]]));
                    image.Finish();
                    var path = SegmentFile.NewPath(directory);
                    paths[s] = path; // before the write: a file half written is deleted too
                    SegmentFile.Write(path, image);
                });
                rowsDone?.Invoke(Math.Min(ids.Count, (first + batch) * sealRows));
            }
        }
        catch
        {
            Delete(paths);
            throw;
        }
        return paths!;
    }

    /// <summary>Writes a column's files into its own segment folder (<see cref="WriteSegmentFiles(string, int, bool, IReadOnlyList{int}, IReadOnlyList{float[]}, int, Action{int}?, CancellationToken)"/>).</summary>
    public static IReadOnlyList<string> WriteSegmentFiles(IVectorColumn column, IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors, int sealRows) =>
        WriteSegmentFiles(column.SegmentDirectory, column.Dimension, column.Quantized, ids, vectors, sealRows);

    /// <summary>Commits written files in order (inside the caller's store transaction, if one is open).</summary>
    public static void Commit(IVectorColumn column, IReadOnlyList<string> paths)
    {
        foreach (var path in paths) column.CommitSegment(path, [], []);
    }

    /// <summary>Deletes files written but not committed.</summary>
    public static void Delete(IEnumerable<string?> paths)
    {
        foreach (var path in paths)
            if (path is not null && File.Exists(path)) File.Delete(path);
    }
}

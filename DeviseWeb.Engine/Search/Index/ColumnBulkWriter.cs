namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Fills an empty column with many vectors at once (a new model version's gallery embeddings): segment files are
/// written straight from the rows, never through the tail, and committed by the caller in one go, so the column
/// appears whole or not at all.
/// </summary>
public static class ColumnBulkWriter
{
    /// <summary>Writes and flushes segment files of at most <paramref name="sealRows"/> rows each, ids ascending; returns their paths, oldest first.</summary>
    public static IReadOnlyList<string> WriteSegmentFiles(IVectorColumn column, IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors, int sealRows)
    {
        if (ids.Count != vectors.Count) throw new ArgumentException("One vector per id.", nameof(vectors));
        int[] order = Enumerable.Range(0, ids.Count).ToArray();
        int[] sorted = [.. ids];
        Array.Sort(sorted, order);
        for (int i = 1; i < sorted.Length; i++)
            if (sorted[i] == sorted[i - 1]) throw new ArgumentException($"Id {sorted[i]} appears twice.", nameof(ids));
        var paths = new string[(ids.Count + sealRows - 1) / Math.Max(1, sealRows)];
        try
        {
            Parallel.For(0, paths.Length, s =>
            {
                int first = s * sealRows, count = Math.Min(sealRows, ids.Count - first);
                using var image = SegmentImage.Create(column.Dimension, count, column.Quantized);
                for (int i = 0; i < count; i++) image.SetRow(i, sorted[first + i], VectorMath.Normalized(vectors[order[first + i]]));
                image.Finish();
                var path = SegmentFile.NewPath(column.SegmentDirectory);
                SegmentFile.Write(path, image);
                paths[s] = path;
            });
        }
        catch
        {
            Delete(paths);
            throw;
        }
        return paths;
    }

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

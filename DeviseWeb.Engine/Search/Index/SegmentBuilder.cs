namespace DeviseWeb.Engine.Search.Index;

/// <summary>The unit vector of the i-th row of a segment being built, and its id.</summary>
internal delegate ReadOnlySpan<float> RowSource(int index, out int id);

/// <summary>
/// Builds a sealed segment from rows in ascending id order: written to a new file in the column's folder and
/// opened from it, or kept in native memory when the index has no column.
/// </summary>
internal sealed class SegmentBuilder(int dimension, bool quantized, IVectorColumn? column, bool loadInt8, Action<Exception>? releaseError)
{
    public SealedSegment Build(int count, RowSource rows)
    {
        using var image = SegmentImage.Create(dimension, count, quantized);
        for (int i = 0; i < count; i++)
        {
            var vector = rows(i, out int id);
            image.SetRow(i, id, vector);
        }
        image.Finish();
        SegmentData data;
        if (column is null) data = image.ToData();
        else
        {
            string path = SegmentFile.NewPath(column.SegmentDirectory);
            SegmentFile.Write(path, image);
            try
            {
                data = SegmentFile.Open(path, loadInt8);
            }
            catch
            {
                File.Delete(path);
                throw;
            }
        }
        return Wrap(data, releaseError);
    }

    public static SealedSegment Wrap(SegmentData data, Action<Exception>? releaseError)
    {
        var removedAt = new int[data.Count];
        Array.Fill(removedAt, SealedSegment.Live);
        return new SealedSegment(data, removedAt, deadRows: 0) { ReleaseError = releaseError };
    }
}

/// <summary>Which segments a compaction rewrites, in runs of neighbours.</summary>
internal static class CompactionPlan
{
    /// <summary>
    /// Runs of neighbouring segments to rewrite as one: each holds a segment with removed rows (any, or past
    /// the share when not <paramref name="everything"/>) or at least two small ones (under half a seal) to merge.
    /// A run stops at a clean full-size segment or at four seals' worth of live rows.
    /// </summary>
    public static List<SealedSegment[]> Groups(SealedSegment[] segments, bool everything, double removedShare, int sealRows)
    {
        bool Dirty(SealedSegment s) => everything ? s.DeadRows > 0 : s.DeadRows > removedShare * s.Data.Count;
        bool Small(SealedSegment s) => s.LiveRows < sealRows / 2;
        long limit = 4L * sealRows;
        var groups = new List<SealedSegment[]>();
        var group = new List<SealedSegment>();
        long rows = 0;
        void Flush()
        {
            if (group.Count > 1 || group.Any(Dirty)) groups.Add([.. group]);
            group.Clear();
            rows = 0;
        }
        foreach (var segment in segments)
        {
            if (!Dirty(segment) && !Small(segment))
            {
                Flush();
                continue;
            }
            if (group.Count > 0 && rows + segment.LiveRows > limit) Flush();
            group.Add(segment);
            rows += segment.LiveRows;
        }
        Flush();
        return groups;
    }
}

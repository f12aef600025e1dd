namespace DeviseWeb.Engine.Search.Index;

/// <summary>Rows [Start, End) of one part of a snapshot.</summary>
internal readonly record struct ScanRange(int Part, int Start, int End);

/// <summary>
/// Splits the rows of every segment and tail chunk into contiguous shares of about equal size, cut on multiples of
/// <see cref="Granule"/> rows so that a share never splits a block a kernel scores at once.
/// </summary>
internal static class ScanPlan
{
    /// <summary>Rows scored per kernel call; divides <see cref="TailChunk.BlockRows"/>.</summary>
    public const int Granule = 256;

    /// <summary>Below this many rows (times queries) a share costs more to hand out than it saves.</summary>
    public const int MinimumRowsPerShare = 16_384;

    public static ScanRange[][] Split(IndexSnapshot snapshot, int maxShares, long workPerRow = 1)
    {
        long total = 0;
        for (int part = 0; part < snapshot.PartCount; part++) total += snapshot.PartRows(part);
        int count = (int)Math.Clamp(total * workPerRow / MinimumRowsPerShare, 1, maxShares);
        long share = (total + count - 1) / count;
        share = (share + Granule - 1) / Granule * Granule;
        var shares = new List<ScanRange>[count];
        for (int s = 0; s < count; s++) shares[s] = [];
        int current = 0;
        long room = share;
        for (int part = 0; part < snapshot.PartCount; part++)
        {
            int rows = snapshot.PartRows(part);
            for (int start = 0; start < rows;)
            {
                if (room == 0 && current < count - 1)
                {
                    current++;
                    room = share;
                }
                long cut = room > 0 ? (start + room + Granule - 1) / Granule * Granule : rows;
                int end = (int)Math.Min(rows, cut);
                shares[current].Add(new ScanRange(part, start, end));
                room = Math.Max(0, room - (end - start));
                start = end;
            }
        }
        return shares.Where(s => s.Count > 0).Select(s => s.ToArray()).DefaultIfEmpty([]).ToArray();
    }
}

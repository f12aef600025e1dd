using System.Collections;
using System.Runtime.ExceptionServices;

namespace DeviseWeb.Engine.Search.Index;

/// <summary>
/// Opens what a column holds. The newest row of an id wins: the tail over segments, a later segment (the
/// column lists them oldest first) over an earlier one; older rows, and segment rows of removed ids, become
/// tombstones until compaction drops them.
/// </summary>
internal static class IndexLoader
{
    public static (SealedSegment[] Segments, List<(int Id, float[] Unit)> Tail) Load(IVectorColumn column, bool loadInt8, Action<Exception>? releaseError)
    {
        var contents = column.Load();
        var segments = new SealedSegment?[contents.SegmentPaths.Count];
        try
        {
            Parallel.For(0, segments.Length, i =>
            {
                var data = SegmentFile.Open(contents.SegmentPaths[i], loadInt8);
                segments[i] = SegmentBuilder.Wrap(data, releaseError);
                if (data.Dimension != column.Dimension)
                    throw new InvalidDataException($"Segment file '{data.Path}' holds {data.Dimension}-d vectors; column {column.Name} is {column.Dimension}-d.");
            });
        }
        catch (AggregateException e)
        {
            foreach (var segment in segments) segment?.Release();
            if (e.InnerExceptions.Count == 1) ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }

        var tail = new List<(int Id, float[] Unit)>(contents.Tail.Count);
        var tailRow = new Dictionary<int, int>(contents.Tail.Count);
        foreach (var (id, vector) in contents.Tail)
        {
            if (vector.Length != column.Dimension)
                throw new InvalidDataException($"Column {column.Name}: tail row {id} has {vector.Length} values, expected {column.Dimension}.");
            var unit = VectorMath.Normalized(vector);
            if (tailRow.TryGetValue(id, out int at)) tail[at] = (id, unit);
            else
            {
                tailRow[id] = tail.Count;
                tail.Add((id, unit));
            }
        }
        var opened = segments.Select(s => s!).ToArray();
        MarkShadowedRows(opened, tailRow.Keys, contents.Removed);
        return (opened, tail);
    }

    private static void MarkShadowedRows(SealedSegment[] segments, IEnumerable<int> tailIds, IReadOnlySet<int> removed)
    {
        var seen = IdSet.Covering(segments, tailIds);
        foreach (int id in tailIds) seen.Add(id);
        bool anyRemoved = removed.Count > 0;
        for (int s = segments.Length - 1; s >= 0; s--)
        {
            var segment = segments[s];
            var ids = segment.Data.IdSpan;
            for (int row = 0; row < ids.Length; row++)
            {
                if (seen.Add(ids[row]) && !(anyRemoved && removed.Contains(ids[row]))) continue;
                segment.RemovedAt[row] = 0; // before the first snapshot's sequence: dead to every reader
                segment.DeadRows++;
            }
        }
    }

    /// <summary>A set of ids: a bitmap when they span a dense range (image ids do), else a hash set.</summary>
    private sealed class IdSet
    {
        private readonly BitArray? _bits;
        private readonly HashSet<int>? _set;
        private readonly long _minimum;

        private IdSet(long minimum, long span, int count)
        {
            _minimum = minimum;
            if (span <= 64L * count + (1 << 20)) _bits = new BitArray((int)Math.Max(span, 1));
            else _set = new HashSet<int>(count);
        }

        public static IdSet Covering(SealedSegment[] segments, IEnumerable<int> tailIds)
        {
            long minimum = long.MaxValue, maximum = long.MinValue;
            int count = 0;
            foreach (var segment in segments)
            {
                if (segment.Data.Count == 0) continue;
                minimum = Math.Min(minimum, segment.Data.IdSpan[0]);
                maximum = Math.Max(maximum, segment.Data.IdSpan[^1]);
                count += segment.Data.Count;
            }
            foreach (int id in tailIds)
            {
                minimum = Math.Min(minimum, id);
                maximum = Math.Max(maximum, id);
                count++;
            }
            return count == 0 ? new IdSet(0, 1, 0) : new IdSet(minimum, maximum - minimum + 1, count);
        }

        /// <summary>False when the id was already there.</summary>
        public bool Add(int id)
        {
            if (_set is not null) return _set.Add(id);
            int at = (int)(id - _minimum);
            if (_bits![at]) return false;
            _bits[at] = true;
            return true;
        }
    }
}

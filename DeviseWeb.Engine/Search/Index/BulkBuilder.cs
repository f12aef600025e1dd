namespace DeviseWeb.Engine.Search.Index;

/// <summary>Seals many vectors straight into in-memory segments of <c>sealRows</c> rows, built in parallel.</summary>
internal static class BulkBuilder
{
    public static SealedSegment[] Segments(SegmentBuilder builder, int dimension, IReadOnlyList<int> ids, IReadOnlyList<float[]> vectors, int sealRows)
    {
        int[] order = Enumerable.Range(0, ids.Count).ToArray();
        int[] sortedIds = ids.ToArray();
        Array.Sort(sortedIds, order);
        for (int i = 1; i < sortedIds.Length; i++)
            if (sortedIds[i] == sortedIds[i - 1]) throw new ArgumentException($"Id {sortedIds[i]} appears twice.", nameof(ids));
        foreach (var vector in vectors)
            if (vector.Length != dimension) throw new ArgumentException($"A vector has {vector.Length} values, the index {dimension}.", nameof(vectors));
        var segments = new SealedSegment[(ids.Count + sealRows - 1) / sealRows];
        Parallel.For(0, segments.Length, s =>
        {
            int first = s * sealRows, count = Math.Min(sealRows, ids.Count - first);
            segments[s] = builder.Build(count, (int i, out int id) =>
            {
                id = sortedIds[first + i];
                return VectorMath.Normalized(vectors[order[first + i]]);
            });
        });
        return segments;
    }
}

namespace DeviseWeb.Engine.Search.Index;

/// <summary>A row found by a scan: which part of the snapshot (segment or tail chunk), which row, its score.</summary>
internal readonly record struct Candidate(float Score, int Part, int Row);

/// <summary>
/// The best <c>capacity</c> candidates seen so far, as a min-heap. Scanners test a score against
/// <see cref="Threshold"/> before anything else, so the heap is touched only by the few rows that reach it.
/// One collector per thread; they are merged at the end. Equal scores are ordered by place (part, then row, the
/// earlier first), a total order: which rows a scan keeps never depends on how it was split among threads.
/// </summary>
internal sealed class TopCollector
{
    private readonly Candidate[] _heap;
    private int _count;

    public TopCollector(int capacity) => _heap = new Candidate[Math.Max(1, capacity)];

    /// <summary>The score a candidate must reach to enter: −∞ until the heap is full, then its weakest score (an equal score enters if it comes earlier).</summary>
    public float Threshold { get; private set; } = float.NegativeInfinity;

    public int Count => _count;

    public void Add(float score, int part, int row)
    {
        var candidate = new Candidate(score, part, row);
        if (_count < _heap.Length)
        {
            _heap[_count] = candidate;
            SiftUp(_count++);
            if (_count == _heap.Length) Threshold = _heap[0].Score;
            return;
        }
        if (!Worse(_heap[0], candidate)) return;
        _heap[0] = candidate;
        SiftDown(0);
        Threshold = _heap[0].Score;
    }

    /// <summary>A lower score, or the same score later on.</summary>
    private static bool Worse(in Candidate a, in Candidate b) =>
        a.Score < b.Score || (a.Score == b.Score && (a.Part > b.Part || (a.Part == b.Part && a.Row > b.Row)));

    public ReadOnlySpan<Candidate> Items => _heap.AsSpan(0, _count);

    /// <summary>The best <paramref name="take"/> candidates of several collectors, best first.</summary>
    public static Candidate[] Merge(IEnumerable<TopCollector> collectors, int take)
    {
        var all = new List<Candidate>();
        foreach (var collector in collectors) all.AddRange(collector.Items);
        all.Sort(static (a, b) => Worse(a, b) ? 1 : Worse(b, a) ? -1 : 0);
        if (all.Count > take) all.RemoveRange(take, all.Count - take);
        return [.. all];
    }

    private void SiftUp(int index)
    {
        var item = _heap[index];
        while (index > 0)
        {
            int parent = (index - 1) >> 1;
            if (!Worse(item, _heap[parent])) break;
            _heap[index] = _heap[parent];
            index = parent;
        }
        _heap[index] = item;
    }

    private void SiftDown(int index)
    {
        var item = _heap[index];
        while (true)
        {
            int child = 2 * index + 1;
            if (child >= _count) break;
            if (child + 1 < _count && Worse(_heap[child + 1], _heap[child])) child++;
            if (!Worse(_heap[child], item)) break;
            _heap[index] = _heap[child];
            index = child;
        }
        _heap[index] = item;
    }
}

namespace DeviseWeb.Engine.Search.Index;

/// <summary>A row found by a scan: which part of the snapshot (segment or tail chunk), which row, its score.</summary>
internal readonly record struct Candidate(float Score, int Part, int Row);

/// <summary>
/// The best <c>capacity</c> candidates seen so far, as a min-heap. Scanners test a score against
/// <see cref="Threshold"/> before anything else, so the heap is touched only by the few rows that beat it.
/// One collector per thread; they are merged at the end.
/// </summary>
internal sealed class TopCollector
{
    private readonly Candidate[] _heap;
    private int _count;

    public TopCollector(int capacity) => _heap = new Candidate[Math.Max(1, capacity)];

    /// <summary>The score a candidate must beat to enter: −∞ until the heap is full, then its weakest score.</summary>
    public float Threshold { get; private set; } = float.NegativeInfinity;

    public int Count => _count;

    public void Add(float score, int part, int row)
    {
        if (_count < _heap.Length)
        {
            _heap[_count] = new Candidate(score, part, row);
            SiftUp(_count++);
            if (_count == _heap.Length) Threshold = _heap[0].Score;
            return;
        }
        if (!(score > Threshold)) return;
        _heap[0] = new Candidate(score, part, row);
        SiftDown(0);
        Threshold = _heap[0].Score;
    }

    public ReadOnlySpan<Candidate> Items => _heap.AsSpan(0, _count);

    /// <summary>The best <paramref name="take"/> candidates of several collectors, best first.</summary>
    public static Candidate[] Merge(IEnumerable<TopCollector> collectors, int take)
    {
        var all = new List<Candidate>();
        foreach (var collector in collectors) all.AddRange(collector.Items);
        all.Sort(static (a, b) => b.Score.CompareTo(a.Score));
        if (all.Count > take) all.RemoveRange(take, all.Count - take);
        return [.. all];
    }

    private void SiftUp(int index)
    {
        var item = _heap[index];
        while (index > 0)
        {
            int parent = (index - 1) >> 1;
            if (!(item.Score < _heap[parent].Score)) break;
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
            if (child + 1 < _count && _heap[child + 1].Score < _heap[child].Score) child++;
            if (!(_heap[child].Score < item.Score)) break;
            _heap[index] = _heap[child];
            index = child;
        }
        _heap[index] = item;
    }
}

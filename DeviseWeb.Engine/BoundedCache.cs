namespace DeviseWeb.Engine;

/// <summary>A thread-safe least-recently-used cache with a fixed capacity: what the engine remembers never grows without a bound.</summary>
public sealed class BoundedCache<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null) where TKey : notnull
{
    private readonly object _lock = new();
    private readonly Dictionary<TKey, LinkedListNode<(TKey Key, TValue Value)>> _nodes = new(comparer);
    private readonly LinkedList<(TKey Key, TValue Value)> _order = new(); // most recently used first

    public int Count { get { lock (_lock) return _nodes.Count; } }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_nodes.TryGetValue(key, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                value = node.Value.Value;
                return true;
            }
        }
        value = default!;
        return false;
    }

    public void Set(TKey key, TValue value)
    {
        lock (_lock)
        {
            if (_nodes.Remove(key, out var old)) _order.Remove(old);
            _nodes[key] = _order.AddFirst((key, value));
            while (_nodes.Count > Math.Max(1, capacity) && _order.Last is { } last)
            {
                _order.RemoveLast();
                _nodes.Remove(last.Value.Key);
            }
        }
    }

    /// <summary>
    /// The values of <paramref name="keys"/> in order; the keys not held are made together, once each, by
    /// <paramref name="make"/> (which returns one value per key it is given, in order) and kept.
    /// </summary>
    public TValue[] GetOrMakeMany(IReadOnlyList<TKey> keys, Func<TKey[], IReadOnlyList<TValue>> make)
    {
        var result = new TValue[keys.Count];
        var missing = new List<int>();
        for (int i = 0; i < keys.Count; i++)
            if (TryGet(keys[i], out var value)) result[i] = value;
            else missing.Add(i);
        if (missing.Count == 0) return result;
        var distinct = missing.Select(i => keys[i]).Distinct(_nodes.Comparer).ToArray();
        var made = make(distinct);
        var byKey = new Dictionary<TKey, TValue>(_nodes.Comparer);
        for (int i = 0; i < distinct.Length; i++)
        {
            Set(distinct[i], made[i]);
            byKey[distinct[i]] = made[i];
        }
        foreach (var i in missing) result[i] = byKey[keys[i]];
        return result;
    }

    public void Remove(TKey key)
    {
        lock (_lock) if (_nodes.Remove(key, out var node)) _order.Remove(node);
    }
}

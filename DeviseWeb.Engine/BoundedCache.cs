namespace DeviseWeb.Engine;

/// <summary>
/// A thread-safe least-recently-used cache with a fixed capacity: what the engine remembers never grows without a bound.
/// A value that leaves (pushed out, replaced, removed, cleared) goes to <c>evicted</c> when one is given, after the
/// cache's lock is released, so the callback may block (release a model version, say). A capacity of 0 keeps nothing:
/// a value set is evicted at once.
/// </summary>
public sealed class BoundedCache<TKey, TValue>(int capacity, IEqualityComparer<TKey>? comparer = null, Action<TValue>? evicted = null)
    where TKey : notnull
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
        var gone = new List<TValue>();
        lock (_lock)
        {
            if (_nodes.Remove(key, out var old))
            {
                _order.Remove(old);
                gone.Add(old.Value.Value);
            }
            _nodes[key] = _order.AddFirst((key, value));
            while (_nodes.Count > Math.Max(0, capacity) && _order.Last is { } last)
            {
                _order.RemoveLast();
                _nodes.Remove(last.Value.Key);
                gone.Add(last.Value.Value);
            }
        }
        Evict(gone);
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

    /// <summary>Drops a key; its value is evicted.</summary>
    public void Remove(TKey key)
    {
        if (TryRemove(key, out var value)) Evict([value]);
    }

    /// <summary>Takes a key's value out of the cache and hands it to the caller (it is not evicted).</summary>
    public bool TryRemove(TKey key, out TValue value)
    {
        lock (_lock)
        {
            if (_nodes.Remove(key, out var node))
            {
                _order.Remove(node);
                value = node.Value.Value;
                return true;
            }
        }
        value = default!;
        return false;
    }

    /// <summary>Drops every key; their values are evicted.</summary>
    public void Clear()
    {
        List<TValue> gone;
        lock (_lock)
        {
            gone = _order.Select(n => n.Value).ToList();
            _order.Clear();
            _nodes.Clear();
        }
        Evict(gone);
    }

    private void Evict(List<TValue> values)
    {
        if (evicted is null) return;
        foreach (var value in values) evicted(value);
    }
}

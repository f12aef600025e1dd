using DeviseWeb.Engine;

namespace DeviseWeb.Tests;

/// <summary>The engine's one LRU cache: what leaves it goes to the eviction callback, once.</summary>
public sealed class BoundedCacheTests
{
    private readonly List<string> _evicted = [];

    private BoundedCache<int, string> NewCache(int capacity) => new(capacity, evicted: _evicted.Add);

    [Fact]
    public void Set_PastCapacity_EvictsTheLeastRecentlyUsed()
    {
        var cache = NewCache(2);
        cache.Set(1, "one");
        cache.Set(2, "two");
        cache.TryGet(1, out _);

        cache.Set(3, "three");

        Assert.Equal(["two"], _evicted);
        Assert.True(cache.TryGet(1, out _));
        Assert.False(cache.TryGet(2, out _));
    }

    [Fact]
    public void Set_CapacityZero_EvictsTheValueAtOnce()
    {
        var cache = NewCache(0);

        cache.Set(1, "one");

        Assert.Equal(["one"], _evicted);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Set_SameKey_EvictsTheValueItReplaces()
    {
        var cache = NewCache(2);
        cache.Set(1, "old");

        cache.Set(1, "new");

        Assert.Equal(["old"], _evicted);
        Assert.True(cache.TryGet(1, out var value));
        Assert.Equal("new", value);
    }

    [Fact]
    public void TryRemove_HandsTheValueOverWithoutEvictingIt()
    {
        var cache = NewCache(2);
        cache.Set(1, "one");

        bool removed = cache.TryRemove(1, out var value);

        Assert.True(removed);
        Assert.Equal("one", value);
        Assert.Empty(_evicted);
        Assert.False(cache.TryRemove(1, out _));
    }

    [Fact]
    public void RemoveAndClear_EvictEveryValueOnce()
    {
        var cache = NewCache(3);
        cache.Set(1, "one");
        cache.Set(2, "two");
        cache.Set(3, "three");

        cache.Remove(2);
        cache.Clear();

        Assert.Equal(["two", "three", "one"], _evicted);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void GetOrMakeMany_MissingKeys_MakesThemOnceTogether()
    {
        var cache = NewCache(10);
        cache.Set(1, "one");
        var asked = new List<int[]>();

        var values = cache.GetOrMakeMany([1, 2, 3, 2], keys =>
        {
            asked.Add(keys);
            return keys.Select(k => $"made {k}").ToList();
        });

        Assert.Equal(["one", "made 2", "made 3", "made 2"], values);
        Assert.Equal([[2, 3]], asked);
    }
}
